import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  devSignInRequestSchema,
  getMeRequestSchema,
  IDENTITY_SUBJECTS,
  type DevSignInRequest,
  type MeView,
  type ServiceReply,
  type SignInReply,
} from '@orgplane/contracts';
import { formatPosition } from '@orgplane/event-store';
import { RequestCtx, requireCaller, ValidPayload, type RequestContext } from '@orgplane/messaging';
import { ReadModels } from '@orgplane/event-sourcing';
import { ServiceError, systemClock } from '@orgplane/util';
import { IDENTITY_CONFIG, type IdentityConfig } from '../../identity.config';
import { SessionTokenSigner } from '../../session-tokens/session-token.signer';
import { UserAccounts } from './user-accounts';

@Controller()
export class UsersHandlers {
  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly accounts: UserAccounts,
    private readonly readModels: ReadModels,
    private readonly signer: SessionTokenSigner,
  ) {}

  /**
   * Development sign-in (the local provider): whoever names an email is that user, registered on
   * first use, with a session token the identity service signs. Refused in production.
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
    const { user, position } = await this.accounts.signUpDevelopmentUser(request, context);
    const token = this.signer.issue(user.id, systemClock.now());
    return {
      data: { ...token, tokenType: 'Bearer', user },
      ...(position ? { position: formatPosition(position) } : {}),
    };
  }

  /**
   * `GET /v1/me`. The organization the request acts in, and the caller's role there, are the
   * gateway's to resolve (the caller header carries them), so `isAdmin` and `activeOrganizationId`
   * read the caller, not membership's state.
   */
  @MessagePattern(IDENTITY_SUBJECTS.getMe)
  async getMe(
    @ValidPayload(getMeRequestSchema) _request: unknown,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<MeView>> {
    const caller = requireCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const user = await this.accounts.find(caller.userId);
    if (!user) throw ServiceError.notFound('User');
    return {
      data: {
        id: user.id,
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        profilePictureUrl: user.profilePictureUrl,
        emailVerified: user.emailVerified,
        isAdmin: caller.role === 'admin',
        accessGranted: true,
        tutorialCompleted: false,
        activeOrganizationId: caller.organizationId ?? null,
      },
    };
  }
}
