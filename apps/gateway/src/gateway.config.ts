import { isIP } from 'node:net';
import { baseConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';
import { conventionsConfigShape } from './conventions/conventions.config';

export const gatewayConfigSchema = z
  .object({
    ...baseConfigShape,
    ...conventionsConfigShape,
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    /**
     * The proxies in front of the gateway, comma-separated: addresses, CIDR ranges, or `loopback`,
     * `linklocal`, `uniquelocal`. A request from one of them is taken to come from the address it
     * forwards for (`X-Forwarded-For`, read from the right, past every trusted hop): that is the
     * client address of audit entries and anonymous rate limits. Unset, no one is trusted and the
     * peer's own address counts, since any client can write `X-Forwarded-For`.
     */
    TRUST_PROXY: z
      .string()
      .default('')
      .transform((text) =>
        text
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      )
      .refine(
        (proxies) => proxies.every(isProxyAddress),
        'Expected addresses, CIDR ranges, loopback, linklocal or uniquelocal, comma-separated',
      ),
    /**
     * How long the gateway waits for a service's answer before a 503. Keep it above the services'
     * CONSISTENCY_WAIT_MS: a write waits that long for its read models before it answers.
     */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    /** larger request bodies get 413 */
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
    /**
     * How long a user's memberships stay cached without a change notice. Notices from the membership
     * service make changes hold within milliseconds; this only bounds a notice that was lost.
     */
    ACCESS_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    ACCESS_CACHE_MAX_USERS: z.coerce.number().int().min(1).default(100_000),
    /**
     * How long an API key stays cached without a change notice (unknown keys at most 30 s).
     * Notices from the keys service make a revocation hold within milliseconds; this only bounds a
     * notice that was lost.
     */
    API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    API_KEY_CACHE_MAX_KEYS: z.coerce.number().int().min(1).default(100_000),
    /** how often the keys used since the last report are sent to the keys service (`lastUsedAt`) */
    API_KEY_USAGE_FLUSH_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  })
  .superRefine((config, context) => {
    if (config.NODE_ENV === 'production' && !config.IDEMPOTENCY_FINGERPRINT_KEY) {
      context.addIssue({
        code: 'custom',
        path: ['IDEMPOTENCY_FINGERPRINT_KEY'],
        message: 'Required when NODE_ENV is production',
      });
    }
  });
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

const PROXY_ADDRESS_GROUPS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(text: string): boolean {
  if (PROXY_ADDRESS_GROUPS.has(text)) return true;
  const [address, prefix, ...rest] = text.split('/');
  const version = isIP(address);
  if (!version || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  return bits <= (version === 4 ? 32 : 128);
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig('gateway', gatewayConfigSchema, env);
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
