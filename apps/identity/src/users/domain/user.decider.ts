import type {
  SignInProvider,
  UserEvent,
  UserProfileUpdated,
  UserSignedUp,
} from '@orgplane/contracts';
import type { Decider } from '@orgplane/util';
import type { UserProfile } from './user-profile';

export type User =
  | { status: 'unregistered' }
  | {
      status: 'registered';
      id: string;
      provider: SignInProvider;
      workosUserId: string | null;
      profile: UserProfile;
      signedUpAt: string;
    };

/** The local provider's sign-in: registers the user the first time, changes nothing later. */
export interface SignUpUser {
  type: 'SignUpUser';
  data: { userId: string; profile: UserProfile };
  metadata: { now: Date };
}

/**
 * WorkOS reported a user (a sign-in, or a `user.created` / `user.updated` webhook): registers them
 * the first time, afterwards records a profile that changed.
 */
export interface SyncWorkosUser {
  type: 'SyncWorkosUser';
  data: { userId: string; workosUserId: string; profile: UserProfile };
  metadata: { now: Date };
}

export type UserCommand = SignUpUser | SyncWorkosUser;

export function initialState(): User {
  return { status: 'unregistered' };
}

/**
 * Signing up again changes nothing, so two first sign-ins racing on one stream both end with the
 * same single user.
 */
export function signUpUser(command: SignUpUser, state: User): UserSignedUp[] {
  if (state.status === 'registered') return [];
  const { userId, profile } = command.data;
  return [
    {
      type: 'UserSignedUp',
      data: {
        userId,
        ...profile,
        provider: 'development',
        signedUpAt: command.metadata.now.toISOString(),
      },
    },
  ];
}

/** WorkOS carries the whole profile each time, so an unchanged one records nothing. */
export function syncWorkosUser(
  command: SyncWorkosUser,
  state: User,
): (UserSignedUp | UserProfileUpdated)[] {
  const { userId, workosUserId, profile } = command.data;
  const at = command.metadata.now.toISOString();
  if (state.status === 'unregistered') {
    return [
      {
        type: 'UserSignedUp',
        data: { userId, ...profile, provider: 'workos', workosUserId, signedUpAt: at },
      },
    ];
  }
  if (sameProfile(state.profile, profile)) return [];
  return [{ type: 'UserProfileUpdated', data: { userId, ...profile, updatedAt: at } }];
}

export function decide(command: UserCommand, state: User): UserEvent[] {
  switch (command.type) {
    case 'SignUpUser':
      return signUpUser(command, state);
    case 'SyncWorkosUser':
      return syncWorkosUser(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolve(state: User, event: UserEvent): User {
  switch (event.type) {
    case 'UserSignedUp': {
      const { userId, provider, workosUserId, signedUpAt } = event.data;
      return {
        status: 'registered',
        id: userId,
        provider,
        workosUserId: workosUserId ?? null,
        profile: profileOf(event.data),
        signedUpAt,
      };
    }
    case 'UserProfileUpdated':
      return state.status === 'registered' ? { ...state, profile: profileOf(event.data) } : state;
    default:
      return state;
  }
}

/** Events written before profiles existed were development sign-ins: verified, no names. */
export function profileOf(data: UserSignedUp['data'] | UserProfileUpdated['data']): UserProfile {
  return {
    email: data.email,
    emailVerified: data.emailVerified ?? true,
    firstName: data.firstName ?? null,
    lastName: data.lastName ?? null,
    profilePictureUrl: data.profilePictureUrl ?? null,
  };
}

function sameProfile(a: UserProfile, b: UserProfile): boolean {
  return (Object.keys(a) as (keyof UserProfile)[]).every((field) => a[field] === b[field]);
}

export const userDecider: Decider<UserCommand, User, UserEvent> = { initialState, decide, evolve };
