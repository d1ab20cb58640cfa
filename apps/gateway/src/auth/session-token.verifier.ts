import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  IDENTITY_SUBJECTS,
  jwksSchema,
  SESSION_TOKEN,
  sessionTokenClaimsSchema,
  userIdOfWorkosUser,
  WORKOS_ACCESS_TOKEN,
  workosAccessTokenClaimsSchema,
  type Jwks,
} from '@orgplane/contracts';
import type { RequestContext, ServiceClient } from '@orgplane/messaging';
import { ServiceError, type Clock } from '@orgplane/util';
import { z } from 'zod';

const headerSchema = z.object({
  alg: z.enum([SESSION_TOKEN.algorithm, WORKOS_ACCESS_TOKEN.algorithm]),
  kid: z.string().min(1),
});

/** A key we do not know triggers a JWKS fetch at most this often, however many tokens carry one. */
const MIN_REFRESH_INTERVAL_MS = 10_000;
/** Tolerated clock difference between the token issuer's hosts and the gateway's. */
const CLOCK_SKEW_SECONDS = 30;

/** Who a valid session token speaks for. */
export interface SessionUser {
  type: 'user';
  userId: string;
}

export const INVALID_TOKEN_MESSAGE = 'The access token is missing, invalid or expired';

/**
 * A published key and what a token it signs must be: each key verifies its own algorithm only, so
 * a token cannot pass one kind of key off as the other.
 */
type TrustedKey =
  | { alg: typeof SESSION_TOKEN.algorithm; key: KeyObject }
  | { alg: typeof WORKOS_ACCESS_TOKEN.algorithm; key: KeyObject; issuers: ReadonlySet<string> };

/**
 * Verifies session access tokens locally (no round trip per request) against the keys the
 * identity service publishes, fetched over NATS and cached; a token signed by a key not seen yet
 * (key rotation) refreshes the cache. Two kinds are accepted: the identity service's own (ES256,
 * its issuer and audience, `sub` the user's id) and WorkOS's (RS256, an issuer WorkOS uses, `sub`
 * the WorkOS user, whose id is derived from it). Every way a token can be wrong is the same 401,
 * with no hint.
 */
export class SessionTokenVerifier {
  private keys = new Map<string, TrustedKey>();
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly services: ServiceClient,
    private readonly clock: Clock,
  ) {}

  async verify(token: string, context: RequestContext): Promise<SessionUser> {
    const [encodedHeader, encodedClaims, encodedSignature, ...rest] = token.split('.');
    const header = headerSchema.safeParse(decodeJson(encodedHeader));
    if (rest.length > 0 || !encodedSignature || !header.success) throw invalidCredentials();

    const trusted = await this.keyFor(header.data.kid, context);
    if (!trusted || trusted.alg !== header.data.alg) throw invalidCredentials();
    const signingInput = Buffer.from(`${encodedHeader}.${encodedClaims}`);
    const signature = Buffer.from(encodedSignature, 'base64url');
    if (!isSignedBy(trusted, signingInput, signature)) throw invalidCredentials();

    return { type: 'user', userId: this.userIdOf(trusted, decodeJson(encodedClaims)) };
  }

  private userIdOf(trusted: TrustedKey, claims: unknown): string {
    if (trusted.alg === SESSION_TOKEN.algorithm) {
      const ours = sessionTokenClaimsSchema.safeParse(claims);
      if (!ours.success || !this.isCurrent(ours.data)) throw invalidCredentials();
      return ours.data.sub;
    }
    const workos = workosAccessTokenClaimsSchema.safeParse(claims);
    if (!workos.success || !trusted.issuers.has(workos.data.iss) || !this.isCurrent(workos.data)) {
      throw invalidCredentials();
    }
    return userIdOfWorkosUser(workos.data.sub);
  }

  private isCurrent({ iat, exp }: { iat: number; exp: number }): boolean {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return exp > now - CLOCK_SKEW_SECONDS && iat <= now + CLOCK_SKEW_SECONDS;
  }

  private async keyFor(kid: string, context: RequestContext): Promise<TrustedKey | undefined> {
    if (!this.keys.has(kid) && Date.now() - this.lastRefreshAt >= MIN_REFRESH_INTERVAL_MS) {
      this.refreshing ??= this.refresh(context).finally(() => (this.refreshing = null));
      await this.refreshing;
    }
    return this.keys.get(kid);
  }

  /** A failed fetch (identity down) is a 503 for this request and is retried by the next one. */
  private async refresh(context: RequestContext): Promise<void> {
    const { data } = await this.services.request<Jwks>(IDENTITY_SUBJECTS.jwks, {}, context);
    const { keys, workos } = jwksSchema.parse(data);
    const issuers = new Set(workos?.issuers);
    this.keys = new Map([
      ...(workos?.keys ?? []).map(({ kid, ...jwk }): [string, TrustedKey] => [
        kid,
        { alg: jwk.alg, key: createPublicKey({ key: jwk, format: 'jwk' }), issuers },
      ]),
      ...keys.map(({ kid, ...jwk }): [string, TrustedKey] => [
        kid,
        { alg: jwk.alg, key: createPublicKey({ key: jwk, format: 'jwk' }) },
      ]),
    ]);
    this.lastRefreshAt = Date.now();
  }
}

/** ES256 signatures are the raw r‖s pair (RFC 7518 §3.4); RS256 ones PKCS #1 v1.5. */
function isSignedBy(trusted: TrustedKey, signingInput: Buffer, signature: Buffer): boolean {
  try {
    return trusted.alg === SESSION_TOKEN.algorithm
      ? verify('sha256', signingInput, { key: trusted.key, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', signingInput, trusted.key, signature);
  } catch {
    return false;
  }
}

function decodeJson(segment: string | undefined): unknown {
  if (!segment) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Every way credentials can be wrong, session token or API key: one answer, with no hint. */
export function invalidCredentials(): ServiceError {
  return new ServiceError('unauthorized', 'unauthorized', INVALID_TOKEN_MESSAGE);
}
