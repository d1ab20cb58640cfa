import {
  AUTHORIZATION_STATE_TTL_SECONDS,
  isValidAuthorizationState,
  issueAuthorizationState,
} from './authorization-state';

const secret = 'a cookie password of at least thirty-two characters';
const now = new Date('2026-03-01T12:00:00.000Z');
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

describe('authorization state', () => {
  it('is valid where it was issued until it expires', () => {
    const state = issueAuthorizationState(secret, now);
    expect(isValidAuthorizationState(secret, state, now)).toBe(true);
    expect(
      isValidAuthorizationState(secret, state, later(AUTHORIZATION_STATE_TTL_SECONDS - 1)),
    ).toBe(true);
    expect(isValidAuthorizationState(secret, state, later(AUTHORIZATION_STATE_TTL_SECONDS))).toBe(
      false,
    );
  });

  it('is a fresh value each time', () => {
    expect(issueAuthorizationState(secret, now)).not.toBe(issueAuthorizationState(secret, now));
  });

  it('refuses states forged, altered, from another secret, or malformed', () => {
    const state = issueAuthorizationState(secret, now);
    const [expiresAt, nonce, mac] = state.split('.');
    const refused = [
      issueAuthorizationState('another secret of at least thirty-two characters', now),
      `${Number(expiresAt) + 3600}.${nonce}.${mac}`,
      `${expiresAt}.${nonce}x.${mac}`,
      `${expiresAt}.${nonce}.${mac.slice(0, -1)}`,
      `${expiresAt}.${nonce}`,
      `${state}.extra`,
      '',
    ];
    for (const candidate of refused) {
      expect(isValidAuthorizationState(secret, candidate, now)).toBe(false);
    }
  });
});
