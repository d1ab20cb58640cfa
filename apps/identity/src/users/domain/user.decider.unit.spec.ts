import {
  userIdOfWorkosUser,
  type UserProfileUpdated,
  type UserSignedUp,
} from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import { z } from 'zod';
import { developmentUserId } from './development-user';
import { userDecider, type SignUpUser, type SyncWorkosUser } from './user.decider';
import { normalizeEmail, normalizeProfile, type UserProfile } from './user-profile';

const now = new Date('2026-03-01T12:00:00.000Z');
const later = new Date('2026-03-02T08:30:00.000Z');
const spec = deciderSpecification(userDecider);

const adaProfile: UserProfile = {
  email: 'ada@example.com',
  emailVerified: true,
  firstName: 'Ada',
  lastName: null,
  profilePictureUrl: null,
};

describe('SignUpUser (local provider)', () => {
  const userId = developmentUserId('ada@example.com');
  const signUp: SignUpUser = {
    type: 'SignUpUser',
    data: { userId, profile: adaProfile },
    metadata: { now },
  };
  const signedUp: UserSignedUp = {
    type: 'UserSignedUp',
    data: { userId, ...adaProfile, provider: 'development', signedUpAt: now.toISOString() },
  };

  it('registers a new user, whose email the local provider vouches for', () => {
    spec.given([]).when(signUp).then([signedUp]);
  });

  it('changes nothing for a user already registered, even with other names', () => {
    const renamed = {
      ...signUp,
      data: { userId, profile: { ...adaProfile, firstName: 'Augusta' } },
    };
    spec.given([signedUp]).when(renamed).then([]);
  });
});

describe('SyncWorkosUser', () => {
  const workosUserId = 'user_01HBEQKA6K4QJAS93VPE39W1JT';
  const userId = userIdOfWorkosUser(workosUserId);
  const sync = (profile: UserProfile, at = now): SyncWorkosUser => ({
    type: 'SyncWorkosUser',
    data: { userId, workosUserId, profile },
    metadata: { now: at },
  });
  const signedUp: UserSignedUp = {
    type: 'UserSignedUp',
    data: {
      userId,
      ...adaProfile,
      provider: 'workos',
      workosUserId,
      signedUpAt: now.toISOString(),
    },
  };

  it('registers a WorkOS user the first time, with the WorkOS user id', () => {
    spec.given([]).when(sync(adaProfile)).then([signedUp]);
  });

  it('records nothing when the profile is unchanged', () => {
    spec.given([signedUp]).when(sync(adaProfile, later)).then([]);
  });

  it('records a changed profile, whole', () => {
    const changed = { ...adaProfile, lastName: 'Lovelace', emailVerified: false };
    const updated: UserProfileUpdated = {
      type: 'UserProfileUpdated',
      data: { userId, ...changed, updatedAt: later.toISOString() },
    };
    spec.given([signedUp]).when(sync(changed, later)).then([updated]);
    spec.given([signedUp, updated]).when(sync(changed, later)).then([]);
    spec
      .given([signedUp, updated])
      .when(sync(adaProfile, later))
      .then([{ ...updated, data: { userId, ...adaProfile, updatedAt: later.toISOString() } }]);
  });

  it('reads events written before profiles existed as verified, without names', () => {
    const legacy: UserSignedUp = {
      type: 'UserSignedUp',
      data: {
        userId,
        email: 'ada@example.com',
        provider: 'workos',
        workosUserId,
        signedUpAt: now.toISOString(),
      },
    };
    const profile = { ...adaProfile, firstName: null };
    spec.given([legacy]).when(sync(profile)).then([]);
  });
});

describe('user ids', () => {
  it('development ids are UUIDs, the same for the same email whatever its case', () => {
    const userId = developmentUserId('ada@example.com');
    expect(z.uuid().safeParse(userId).success).toBe(true);
    expect(developmentUserId(' Ada@Example.COM ')).toBe(userId);
    expect(developmentUserId('bob@example.com')).not.toBe(userId);
  });

  it('WorkOS users map to their own UUIDs, never a development one', () => {
    const userId = userIdOfWorkosUser('user_01');
    expect(z.uuid().safeParse(userId).success).toBe(true);
    expect(userIdOfWorkosUser('user_01')).toBe(userId);
    expect(userId).not.toBe(developmentUserId('user_01'));
  });
});

describe('normalizeProfile', () => {
  it('lowercases the email, drops blank names, cuts long ones', () => {
    expect(normalizeEmail(' Ada@Example.COM ')).toBe('ada@example.com');
    expect(
      normalizeProfile({
        email: 'Ada@Example.COM',
        emailVerified: false,
        firstName: '  ',
        lastName: 'x'.repeat(300),
      }),
    ).toEqual({
      email: 'ada@example.com',
      emailVerified: false,
      firstName: null,
      lastName: 'x'.repeat(200),
      profilePictureUrl: null,
    });
  });

  it('keeps a picture URL only when it is one', () => {
    const profile = (profilePictureUrl: string) =>
      normalizeProfile({ email: 'a@b.co', emailVerified: true, profilePictureUrl });
    expect(profile('https://cdn.example.com/a.png').profilePictureUrl).toBe(
      'https://cdn.example.com/a.png',
    );
    expect(profile('not a url').profilePictureUrl).toBeNull();
  });
});
