import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  IDENTITY_SUBJECTS,
  jwksSchema,
  SESSION_TOKEN,
  sessionTokenClaimsSchema,
  type Caller,
  type Jwks,
} from '@orgplane/contracts';
import type { RequestContext, ServiceClient } from '@orgplane/messaging';
import { ServiceError, type Clock } from '@orgplane/util';
import { z } from 'zod';

const headerSchema = z.object({ alg: z.literal(SESSION_TOKEN.algorithm), kid: z.string().min(1) });

/** A key we do not know triggers a JWKS fetch at most this often, however many tokens carry one. */
const MIN_REFRESH_INTERVAL_MS = 10_000;
/** Tolerated clock difference between identity and gateway hosts. */
const CLOCK_SKEW_SECONDS = 30;

export const INVALID_TOKEN_MESSAGE = 'The access token is missing, invalid or expired';

/**
 * Verifies session access tokens locally (no round trip per request) against the identity
 * service's public keys, fetched over NATS and cached; a token signed by a key not seen yet (key
 * rotation) refreshes the cache. Every way a token can be wrong is the same 401, with no hint.
 */
export class SessionTokenVerifier {
  private keys = new Map<string, KeyObject>();
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly services: ServiceClient,
    private readonly clock: Clock,
  ) {}

  async verify(token: string, context: RequestContext): Promise<Caller> {
    const [encodedHeader, encodedClaims, encodedSignature, ...rest] = token.split('.');
    const header = headerSchema.safeParse(decodeJson(encodedHeader));
    if (rest.length > 0 || !encodedSignature || !header.success) throw invalidToken();

    const key = await this.keyFor(header.data.kid, context);
    if (!key) throw invalidToken();
    const signed = verify(
      'sha256',
      Buffer.from(`${encodedHeader}.${encodedClaims}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(encodedSignature, 'base64url'),
    );
    const claims = sessionTokenClaimsSchema.safeParse(decodeJson(encodedClaims));
    if (!signed || !claims.success) throw invalidToken();

    const now = Math.floor(this.clock.now().getTime() / 1000);
    if (claims.data.exp <= now - CLOCK_SKEW_SECONDS || claims.data.iat > now + CLOCK_SKEW_SECONDS) {
      throw invalidToken();
    }
    return { type: 'user', userId: claims.data.sub, email: claims.data.email };
  }

  private async keyFor(kid: string, context: RequestContext): Promise<KeyObject | undefined> {
    if (!this.keys.has(kid) && Date.now() - this.lastRefreshAt >= MIN_REFRESH_INTERVAL_MS) {
      this.refreshing ??= this.refresh(context).finally(() => (this.refreshing = null));
      await this.refreshing;
    }
    return this.keys.get(kid);
  }

  /** A failed fetch (identity down) is a 503 for this request and is retried by the next one. */
  private async refresh(context: RequestContext): Promise<void> {
    const { data } = await this.services.request<Jwks>(IDENTITY_SUBJECTS.jwks, {}, context);
    const jwks = jwksSchema.parse(data);
    this.keys = new Map(
      jwks.keys.map(({ kid, ...jwk }) => [kid, createPublicKey({ key: jwk, format: 'jwk' })]),
    );
    this.lastRefreshAt = Date.now();
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

function invalidToken(): ServiceError {
  return new ServiceError('unauthorized', 'unauthorized', INVALID_TOKEN_MESSAGE);
}
