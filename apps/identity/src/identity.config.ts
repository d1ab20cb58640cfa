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
  })
  .superRefine((config, context) => {
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

export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  return loadConfig('identity', identityConfigSchema, env);
}
