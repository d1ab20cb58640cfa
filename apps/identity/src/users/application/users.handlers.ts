import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { InjectRepository } from '@nestjs/typeorm';
import {
  devSignInRequestSchema,
  IDENTITY_SUBJECTS,
  userEvents,
  userStreamName,
  type DevSignInRequest,
  type ServiceReply,
  type SignInReply,
  type UserView,
} from '@orgplane/contracts';
import {
  formatPosition,
  handleCommand,
  type EventStore,
  type Position,
} from '@orgplane/event-store';
import {
  EVENT_STORE,
  ReadModels,
  RequestCtx,
  toEventMetadata,
  ValidPayload,
  type RequestContext,
} from '@orgplane/messaging';
import { ServiceError, systemClock } from '@orgplane/util';
import type { Repository } from 'typeorm';
import { IDENTITY_CONFIG, type IdentityConfig } from '../../identity.config';
import { SessionTokenSigner } from '../../session-tokens/session-token.signer';
import { developmentUserId, normalizeEmail } from '../domain/development-user';
import { userDecider } from '../domain/user.decider';
import { UserEntity } from '../infrastructure/user.entity';

@Controller()
export class UsersHandlers {
  private readonly logger = new Logger(UsersHandlers.name);

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly signer: SessionTokenSigner,
  ) {}

  /**
   * Development sign-in: whoever names an email is that user, registered on first use. Stands in
   * for WorkOS until it is wired; refused in production.
   */
  @MessagePattern(IDENTITY_SUBJECTS.devSignIn)
  async devSignIn(
    @ValidPayload(devSignInRequestSchema) request: DevSignInRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SignInReply>> {
    if (this.config.NODE_ENV === 'production') {
      throw new ServiceError(
        'forbidden',
        'development_sign_in_disabled',
        'Development sign-in is disabled in production',
      );
    }
    const { user, position } = await this.registeredUser(normalizeEmail(request.email), context);
    const token = this.signer.issue(user, systemClock.now());
    return {
      data: { ...token, tokenType: 'Bearer', user },
      ...(position ? { position: formatPosition(position) } : {}),
    };
  }

  /** Known users come from the read model; a new one signs up (and the read model is awaited). */
  private async registeredUser(
    email: string,
    context: RequestContext,
  ): Promise<{ user: UserView; position: Position | null }> {
    const known = await this.users.findOneBy({ email });
    if (known) return { user: { id: known.id, email: known.email }, position: null };

    const userId = developmentUserId(email);
    const { state, position } = await handleCommand({
      store: this.store,
      streamName: userStreamName(userId),
      decider: userDecider,
      command: {
        type: 'SignUpUser',
        data: { userId, email, provider: 'development' },
        metadata: { now: systemClock.now() },
      },
      codec: userEvents,
      metadata: toEventMetadata(context, null, { type: 'user', id: userId }),
    });
    if (state.status !== 'registered') throw new Error('SignUpUser registered no user');
    if (position && !(await this.readModels.reached(position))) {
      this.logger.warn(`User ${userId} is not in the read model yet`);
    }
    return { user: { id: state.id, email: state.email }, position };
  }
}
