import type { UserSignedUp } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import { z } from 'zod';
import { developmentUserId, normalizeEmail } from './development-user';
import { userDecider, type SignUpUser } from './user.decider';

const now = new Date('2026-03-01T12:00:00.000Z');
const userId = developmentUserId('ada@example.com');
const spec = deciderSpecification(userDecider);

const signUp: SignUpUser = {
  type: 'SignUpUser',
  data: { userId, email: 'ada@example.com', provider: 'development' },
  metadata: { now },
};
const signedUp: UserSignedUp = {
  type: 'UserSignedUp',
  data: {
    userId,
    email: 'ada@example.com',
    provider: 'development',
    signedUpAt: now.toISOString(),
  },
};

describe('SignUpUser', () => {
  it('registers a new user', () => {
    spec.given([]).when(signUp).then([signedUp]);
  });

  it('changes nothing for a user already registered', () => {
    spec.given([signedUp]).when(signUp).then([]);
  });
});

describe('developmentUserId', () => {
  it('is a valid UUID, the same for the same email whatever its case', () => {
    expect(z.uuid().safeParse(userId).success).toBe(true);
    expect(developmentUserId(' Ada@Example.COM ')).toBe(userId);
    expect(developmentUserId('bob@example.com')).not.toBe(userId);
  });

  it('normalizes emails to lowercase without surrounding spaces', () => {
    expect(normalizeEmail(' Ada@Example.COM ')).toBe('ada@example.com');
  });
});
