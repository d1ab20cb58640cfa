import { apiKeyStatus, authenticationOf, toMinute, type KeySecrets } from './api-key';

const now = new Date('2026-03-01T12:00:00.000Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const current = 'a'.repeat(64);
const previous = 'b'.repeat(64);

const key: KeySecrets = {
  keyHash: current,
  previousKeyHash: null,
  previousValidUntil: null,
  expiresAt: null,
  revokedAt: null,
};

describe('apiKeyStatus', () => {
  it('is revoked once revoked, expired from its expiry on, active otherwise', () => {
    expect(apiKeyStatus({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: later(1) }, now)).toBe('active');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: now }, now)).toBe('expired');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: later(-1).toISOString() }, now)).toBe(
      'expired',
    );
    expect(apiKeyStatus({ revokedAt: later(-1), expiresAt: later(-2) }, now)).toBe('revoked');
  });
});

describe('authenticationOf', () => {
  it('accepts the current secret until the key expires', () => {
    expect(authenticationOf(key, current, now)).toEqual({ validUntil: null });
    const expiring = { ...key, expiresAt: later(1000) };
    expect(authenticationOf(expiring, current, now)).toEqual({ validUntil: later(1000) });
    expect(authenticationOf(expiring, current, later(1000))).toBeNull();
  });

  it('accepts the previous secret until its grace period or the key ends, whichever comes first', () => {
    const rotated = { ...key, previousKeyHash: previous, previousValidUntil: later(5000) };
    expect(authenticationOf(rotated, previous, now)).toEqual({ validUntil: later(5000) });
    expect(authenticationOf(rotated, previous, later(5000))).toBeNull();
    const expiringFirst = { ...rotated, expiresAt: later(2000) };
    expect(authenticationOf(expiringFirst, previous, now)).toEqual({ validUntil: later(2000) });
    expect(authenticationOf(expiringFirst, current, now)).toEqual({ validUntil: later(2000) });
  });

  it('accepts nothing of a revoked key, and no other hash', () => {
    const rotated = { ...key, previousKeyHash: previous, previousValidUntil: later(5000) };
    for (const hash of [current, previous]) {
      expect(authenticationOf({ ...rotated, revokedAt: later(-1) }, hash, now)).toBeNull();
    }
    expect(authenticationOf(rotated, 'c'.repeat(64), now)).toBeNull();
  });
});

describe('toMinute', () => {
  it('keeps the minute and drops the seconds', () => {
    expect(toMinute(new Date('2026-03-01T12:34:56.789Z'))).toEqual(
      new Date('2026-03-01T12:34:00.000Z'),
    );
  });
});
