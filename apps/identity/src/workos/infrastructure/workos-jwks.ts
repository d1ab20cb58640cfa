import { Injectable, Logger } from '@nestjs/common';
import { WORKOS_ACCESS_TOKEN, type Jwks, type RsaPublicJwk } from '@orgplane/contracts';
import { z } from 'zod';
import { Workos } from './workos';

/**
 * Gateways ask for the keys when they start and when a token names a key they do not know, at
 * most every 10 s each; WorkOS is asked again at most this often, however many gateways ask.
 */
const MIN_REFETCH_INTERVAL_MS = 10_000;
const FETCH_TIMEOUT_MS = 5_000;

/** WorkOS's JWKS as published; only RSA signing keys for RS256 are kept. */
const workosJwksSchema = z.object({
  keys: z.array(
    z.looseObject({
      kty: z.string(),
      kid: z.string().min(1).optional(),
      n: z.string().optional(),
      e: z.string().optional(),
      alg: z.string().optional(),
      use: z.string().optional(),
    }),
  ),
});

/**
 * The keys WorkOS signs access tokens with, fetched from its JWKS URL and cached, for
 * `identity.v1.jwks`. When WorkOS cannot be reached the last keys fetched are served, so tokens
 * keep verifying; our own keys are served in any case.
 */
@Injectable()
export class WorkosJwks {
  private readonly logger = new Logger(WorkosJwks.name);
  private keys: RsaPublicJwk[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private fetching: Promise<void> | null = null;

  constructor(private readonly workos: Workos) {}

  /** The `workos` part of the JWKS reply; undefined when WorkOS is not configured. */
  async published(): Promise<Jwks['workos']> {
    const connection = this.workos.connection;
    if (!connection) return undefined;
    const { client, settings } = connection;
    if (Date.now() - this.fetchedAt >= MIN_REFETCH_INTERVAL_MS) {
      this.fetching ??= this.fetch(client.userManagement.getJwksUrl(settings.clientId)).finally(
        () => (this.fetching = null),
      );
      await this.fetching;
    }
    // AuthKit names the API's base URL, or the client's user management path, as the issuer.
    const issuers = [client.baseURL, `${client.baseURL}/user_management/${settings.clientId}`];
    return { issuers, keys: this.keys };
  }

  private async fetch(url: string): Promise<void> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { keys } = workosJwksSchema.parse(await response.json());
      this.keys = keys.flatMap(({ kty, kid, n, e, alg, use }) =>
        kty === 'RSA' && kid && n && e && (alg ?? 'RS256') === 'RS256' && (use ?? 'sig') === 'sig'
          ? [{ kty, kid, n, e, alg: WORKOS_ACCESS_TOKEN.algorithm, use: 'sig' as const }]
          : [],
      );
    } catch (error) {
      this.logger.warn(
        `WorkOS JWKS not fetched, serving the ${this.keys.length} keys known: ${String(error)}`,
      );
    } finally {
      this.fetchedAt = Date.now();
    }
  }
}
