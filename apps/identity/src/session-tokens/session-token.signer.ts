import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import {
  SESSION_TOKEN,
  type EcPublicJwk,
  type Jwks,
  type SessionTokenClaims,
} from '@orgplane/contracts';

/**
 * Issues session access tokens: compact JWTs signed ES256 (RFC 7518 §3.4, the signature as the
 * raw r‖s pair). `kid` is the key's RFC 7638 thumbprint, so a new key gets a new id by itself.
 */
export class SessionTokenSigner {
  private readonly publicJwk: EcPublicJwk;

  constructor(
    private readonly privateKey: KeyObject,
    private readonly ttlSeconds: number,
  ) {
    const { crv, kty, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
    const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
    this.publicJwk = {
      kty: 'EC',
      crv: 'P-256',
      x: x as string,
      y: y as string,
      kid,
      alg: SESSION_TOKEN.algorithm,
      use: 'sig',
    };
  }

  issue(userId: string, now: Date): { accessToken: string; expiresIn: number } {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const claims: SessionTokenClaims = {
      iss: SESSION_TOKEN.issuer,
      aud: SESSION_TOKEN.audience,
      sub: userId,
      iat: issuedAt,
      exp: issuedAt + this.ttlSeconds,
    };
    const header = { alg: SESSION_TOKEN.algorithm, typ: 'JWT', kid: this.publicJwk.kid };
    const signingInput = `${base64UrlJson(header)}.${base64UrlJson(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return {
      accessToken: `${signingInput}.${signature.toString('base64url')}`,
      expiresIn: this.ttlSeconds,
    };
  }

  jwks(): Pick<Jwks, 'keys'> {
    return { keys: [this.publicJwk] };
  }
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
