import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** An EC P-256 key the identity service signs with (IDENTITY_SIGNING_KEY) and the test holds. */
export function generateSigningKey(): { pem: string; key: KeyObject } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), key: privateKey };
}

/**
 * The token with its claims changed (`exp` in the past, another `sub`, ...), signed again with
 * `key`: the test can forge what only the identity service should be able to sign.
 */
export function resignToken(
  token: string,
  key: KeyObject,
  changeClaims: (claims: Record<string, unknown>) => Record<string, unknown>,
): string {
  const [header, claims] = token.split('.');
  const changed = changeClaims(JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')));
  const signingInput = `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** A token as the identity service would sign it with a key it does not have. */
export function tokenSignedByAnotherKey(token: string): string {
  return resignToken(token, generateSigningKey().key, (claims) => claims);
}

/** seconds since the epoch */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
