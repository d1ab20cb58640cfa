import { createPrivateKey } from 'node:crypto';
import { eventSourcedServiceConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

function isEcP256PrivateKey(pem: string): boolean {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

/** WorkOS is on when these are all set, off when none is; some without the others is an error. */
const WORKOS_REQUIRED = [
  'WORKOS_API_KEY',
  'WORKOS_CLIENT_ID',
  'WORKOS_REDIRECT_URI',
  'WORKOS_COOKIE_PASSWORD',
  'WORKOS_WEBHOOK_SECRET',
] as const;

export const identityConfigSchema = z
  .object({
    ...eventSourcedServiceConfigShape('identity'),
    /**
     * PEM of the EC P-256 private key that signs session tokens (ES256). Required in production;
     * elsewhere, when unset, one is generated once and kept in the identity schema so every
     * instance signs with the same key.
     */
    IDENTITY_SIGNING_KEY: z
      .string()
      .refine(isEcP256PrivateKey, 'Expected a PEM EC P-256 (prime256v1) private key')
      .optional(),
    SESSION_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
    /** WorkOS AuthKit sign-in; without these, only the local provider signs users in */
    WORKOS_API_KEY: z.string().min(1).optional(),
    WORKOS_CLIENT_ID: z.string().min(1).optional(),
    /** where AuthKit sends the browser back (`GET /v1/auth/workos/callback`, or a page calling it) */
    WORKOS_REDIRECT_URI: z.url().optional(),
    /** seals the session cookie (and signs the sign-in `state`); the SDK needs 32 characters */
    WORKOS_COOKIE_PASSWORD: z.string().min(32, 'Expected at least 32 characters').optional(),
    WORKOS_WEBHOOK_SECRET: z.string().min(1).optional(),
    /** where the SDK finds the WorkOS API: a proxy, or a stand-in in tests */
    WORKOS_API_HOSTNAME: z.string().min(1).default('api.workos.com'),
    WORKOS_API_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    WORKOS_API_HTTPS: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
  })
  .superRefine((config, context) => {
    const missing = WORKOS_REQUIRED.filter((name) => !config[name]);
    if (missing.length > 0 && missing.length < WORKOS_REQUIRED.length) {
      for (const name of missing) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `Required with the other WorkOS settings (${WORKOS_REQUIRED.join(', ')})`,
        });
      }
    }
    if (config.NODE_ENV === 'production' && !config.IDENTITY_SIGNING_KEY) {
      context.addIssue({
        code: 'custom',
        path: ['IDENTITY_SIGNING_KEY'],
        message: 'Required when NODE_ENV is production',
      });
    }
  });
export type IdentityConfig = z.infer<typeof identityConfigSchema>;

export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');

/** The WorkOS settings, when WorkOS is configured. */
export interface WorkosSettings {
  apiKey: string;
  clientId: string;
  redirectUri: string;
  cookiePassword: string;
  webhookSecret: string;
  apiHostname: string;
  apiPort: number | undefined;
  https: boolean;
}

export function workosSettingsOf(config: IdentityConfig): WorkosSettings | null {
  const { WORKOS_API_KEY, WORKOS_CLIENT_ID, WORKOS_REDIRECT_URI } = config;
  const { WORKOS_COOKIE_PASSWORD, WORKOS_WEBHOOK_SECRET } = config;
  if (
    !WORKOS_API_KEY ||
    !WORKOS_CLIENT_ID ||
    !WORKOS_REDIRECT_URI ||
    !WORKOS_COOKIE_PASSWORD ||
    !WORKOS_WEBHOOK_SECRET
  ) {
    return null;
  }
  return {
    apiKey: WORKOS_API_KEY,
    clientId: WORKOS_CLIENT_ID,
    redirectUri: WORKOS_REDIRECT_URI,
    cookiePassword: WORKOS_COOKIE_PASSWORD,
    webhookSecret: WORKOS_WEBHOOK_SECRET,
    apiHostname: config.WORKOS_API_HOSTNAME,
    apiPort: config.WORKOS_API_PORT,
    https: config.WORKOS_API_HTTPS,
  };
}

export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return loadConfig('identity', identityConfigSchema, env);
}
