import { z } from 'zod';

/** The gateway's settings for rate limits and Idempotency-Key; spread into gatewayConfigSchema. */
export const conventionsConfigShape = {
  /**
   * Requests per minute for each user and each API key, counted by each gateway instance on its
   * own: with N instances behind a balancer a client gets up to N times this.
   */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Requests per minute for each client address on routes that need no credentials. */
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  /**
   * How long an Idempotency-Key stays claimed by a request that has not finished. Past it, the
   * instance that claimed it is taken to have died and a retry runs the request again, so keep it
   * well above the longest a POST can take (a few REQUEST_TIMEOUT_MS).
   */
  IDEMPOTENCY_IN_FLIGHT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(3_600_000)
    .default(60_000),
  /** at least 32 characters; see idempotencyFingerprintKeyOf. Required in production. */
  IDEMPOTENCY_FINGERPRINT_KEY: z.string().min(32).optional(),
};
/**
 * Keys the fingerprint of a request sent with an Idempotency-Key (HMAC-SHA256). The fingerprint
 * covers the body, which may hold a secret's value, and sits 24 hours in the store every instance
 * shares: a plain hash of a guessable value could be tested against guesses. Every gateway instance
 * needs the same key; production must set its own.
 */
const DEVELOPMENT_FINGERPRINT_KEY = 'orgplane-development-idempotency-fingerprint-key';

export function idempotencyFingerprintKeyOf(config: ConventionsConfig): string {
  return config.IDEMPOTENCY_FINGERPRINT_KEY ?? DEVELOPMENT_FINGERPRINT_KEY;
}

export type ConventionsConfig = z.infer<z.ZodObject<typeof conventionsConfigShape>>;
