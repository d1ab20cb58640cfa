import type { UserEvent, UserSignedUp } from '@orgplane/contracts';
import type { Decider } from '@orgplane/util';

export type User =
  | { status: 'unregistered' }
  | { status: 'registered'; id: string; email: string; signedUpAt: string };

export interface SignUpUser {
  type: 'SignUpUser';
  data: { userId: string; email: string; provider: 'development' };
  metadata: { now: Date };
}

export type UserCommand = SignUpUser;

export function initialState(): User {
  return { status: 'unregistered' };
}

/**
 * Registers the user on first sign-in. Signing up again changes nothing, so two first sign-ins
 * racing on one stream both end with the same single user.
 */
export function signUpUser(command: SignUpUser, state: User): UserSignedUp[] {
  if (state.status === 'registered') return [];
  const { userId, email, provider } = command.data;
  return [
    {
      type: 'UserSignedUp',
      data: { userId, email, provider, signedUpAt: command.metadata.now.toISOString() },
    },
  ];
}

export function decide(command: UserCommand, state: User): UserEvent[] {
  switch (command.type) {
    case 'SignUpUser':
      return signUpUser(command, state);
    default: {
      const unknown: never = command.type;
      throw new Error(`Unknown command ${String(unknown)}`);
    }
  }
}

export function evolve(state: User, event: UserEvent): User {
  switch (event.type) {
    case 'UserSignedUp': {
      const { userId, email, signedUpAt } = event.data;
      return { status: 'registered', id: userId, email, signedUpAt };
    }
    default:
      return state;
  }
}

export const userDecider: Decider<UserCommand, User, UserEvent> = { initialState, decide, evolve };
