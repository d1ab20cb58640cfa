import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a sign-in started at `authorize` may take to come back to the callback. */
export const AUTHORIZATION_STATE_TTL_SECONDS = 600;

/**
 * The OAuth `state` of a WorkOS sign-in, stateless: `<expires at, s>.<nonce>.<mac>`, the MAC an
 * HMAC-SHA256 under a key derived from the cookie password. Any identity instance can check it
 * without a shared record. It is not single-use: replaying it gains nothing, since WorkOS accepts
 * each authorization code once. Binding it to the browser is the client's part: it keeps the
 * `state` `authorize` returned and compares it with the callback's.
 */
export function issueAuthorizationState(secret: string, now: Date): string {
  const expiresAt = Math.floor(now.getTime() / 1000) + AUTHORIZATION_STATE_TTL_SECONDS;
  const unsigned = `${expiresAt}.${randomBytes(16).toString('base64url')}`;
  return `${unsigned}.${mac(secret, unsigned).toString('base64url')}`;
}

/** true for a state issued with this secret that has not expired */
export function isValidAuthorizationState(secret: string, state: string, now: Date): boolean {
  const [expiresAt, nonce, signature, ...rest] = state.split('.');
  if (rest.length > 0 || !nonce || !signature || !/^\d{1,12}$/.test(expiresAt)) return false;
  const expected = mac(secret, `${expiresAt}.${nonce}`);
  const given = Buffer.from(signature, 'base64url');
  return (
    given.length === expected.length &&
    timingSafeEqual(given, expected) &&
    Number(expiresAt) > now.getTime() / 1000
  );
}

function mac(secret: string, text: string): Buffer {
  const key = Buffer.from(
    hkdfSync('sha256', secret, '', 'orgplane:workos-authorization-state', 32),
  );
  return createHmac('sha256', key).update(text).digest();
}
