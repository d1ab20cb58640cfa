import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { userEvents, userIdOfWorkosUser, userStreamName, type UserView } from '@orgplane/contracts';
import { handleCommand, type Actor, type EventStore, type Position } from '@orgplane/event-store';
import { type RequestContext } from '@orgplane/messaging';
import { EVENT_STORE, ReadModels, toEventMetadata } from '@orgplane/event-sourcing';
import { systemClock } from '@orgplane/util';
import type { Repository } from 'typeorm';
import { developmentUserId } from '../domain/development-user';
import { userDecider, type UserCommand } from '../domain/user.decider';
import { normalizeEmail, normalizeProfile } from '../domain/user-profile';
import { UserEntity } from '../infrastructure/user.entity';

export interface RegisteredUser {
  user: UserView;
  /** of what was appended; null when nothing was */
  position: Position | null;
}

/** A user as WorkOS reports it (the SDK's `User`, camelCase). */
export interface WorkosUser {
  id: string;
  email: string;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  profilePictureUrl: string | null;
}

/**
 * Registers the users the sign-in providers vouch for and keeps their profiles: load, decide,
 * append, then wait (bounded) for the `users` read model, so the next request sees the user.
 */
@Injectable()
export class UserAccounts {
  private readonly logger = new Logger(UserAccounts.name);

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  find(userId: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id: userId });
  }

  /**
   * The local provider: a known email is answered from the read model without a write. The
   * provider trusts the email it is given, so it counts as verified.
   */
  async signUpDevelopmentUser(
    reported: { email: string; firstName?: string; lastName?: string },
    context: RequestContext,
  ): Promise<RegisteredUser> {
    const email = normalizeEmail(reported.email);
    const known = await this.users.findOneBy({ email, provider: 'development' });
    if (known) return { user: { id: known.id, email: known.email }, position: null };

    const userId = developmentUserId(email);
    const profile = normalizeProfile({ ...reported, emailVerified: true });
    return this.handle(
      userId,
      { type: 'SignUpUser', data: { userId, profile }, metadata: { now: systemClock.now() } },
      context,
      { type: 'user', id: userId },
    );
  }

  /**
   * A WorkOS sign-in or webhook: registers the user the first time, records a changed profile
   * after. The actor is the user signing in unless given (the system, for a webhook).
   */
  syncWorkosUser(
    workosUser: WorkosUser,
    context: RequestContext,
    actor?: Actor,
  ): Promise<RegisteredUser> {
    const userId = userIdOfWorkosUser(workosUser.id);
    return this.handle(
      userId,
      {
        type: 'SyncWorkosUser',
        data: { userId, workosUserId: workosUser.id, profile: normalizeProfile(workosUser) },
        metadata: { now: systemClock.now() },
      },
      context,
      actor ?? { type: 'user', id: userId },
    );
  }

  private async handle(
    userId: string,
    command: UserCommand,
    context: RequestContext,
    actor: Actor,
  ): Promise<RegisteredUser> {
    const { state, position } = await handleCommand({
      store: this.store,
      streamName: userStreamName(userId),
      decider: userDecider,
      command,
      codec: userEvents,
      metadata: toEventMetadata(context, null, actor),
    });
    if (state.status !== 'registered') throw new Error(`${command.type} registered no user`);
    if (position && !(await this.readModels.reached(position))) {
      this.logger.warn(`User ${userId} is not in the read model yet`);
    }
    return { user: { id: state.id, email: state.profile.email }, position };
  }
}
