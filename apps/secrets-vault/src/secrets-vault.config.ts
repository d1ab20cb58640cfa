import { SECRET_USAGES, type SecretUsage } from '@orgplane/contracts';
import { eventSourcedServiceConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const MASTER_KEY_FORMAT = 'Expected the base64 of exactly 32 bytes (openssl rand -base64 32)';

/** Strict: `Buffer.from(…, 'base64')` would skip stray characters and take a truncated key. */
function isBase64MasterKey(text: string): boolean {
  return (
    /^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text
  );
}

/** A service allowed to resolve secrets, for one usage, proving itself with its token. */
export interface SecretResolver {
  service: string;
  usage: SecretUsage;
  /** lowercase hex SHA-256 of the token it sends: the configuration never holds the token */
  tokenSha256: string;
}

const RESOLVER_ENTRY = new RegExp(
  `^([a-z][a-z0-9-]{0,62}):(${SECRET_USAGES.join('|')}):([0-9a-fA-F]{64})$`,
);

function toResolver(entry: string): SecretResolver {
  const [, service, usage, tokenSha256] = RESOLVER_ENTRY.exec(entry) as RegExpExecArray;
  return { service, usage: usage as SecretUsage, tokenSha256: tokenSha256.toLowerCase() };
}

function commaSeparated(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

export const secretsVaultConfigSchema = z
  .object({
    ...eventSourcedServiceConfigShape('secrets-vault'),
    /**
     * The master key that wraps the organizations' data keys, as base64 of 32 bytes. Required in
     * production; elsewhere, when unset, one is generated once and kept in the key store.
     */
    SECRETS_MASTER_KEY: z.string().refine(isBase64MasterKey, MASTER_KEY_FORMAT).optional(),
    /**
     * Former master keys, comma-separated, still used to unwrap keys they wrapped: set the old key
     * here and the new one as SECRETS_MASTER_KEY, run `npm run secrets:rotate-master-key`, then
     * drop it.
     */
    SECRETS_RETIRED_MASTER_KEYS: z
      .string()
      .default('')
      .transform(commaSeparated)
      .refine((keys) => keys.every(isBase64MasterKey), `${MASTER_KEY_FORMAT}, comma-separated`),
    /**
     * PostgreSQL schema of the wrapped keys. Not a read model: nothing rebuilds it from events,
     * and losing it loses every secret value.
     */
    KEY_STORE_SCHEMA: z
      .string()
      .regex(SQL_IDENTIFIER, 'Expected a lowercase SQL name')
      .default('secrets_vault_keys'),
    /**
     * The services allowed to resolve secrets at run time, comma-separated
     * `<service>:<usage>:<sha256 hex of its token>` with usage agents, tools or sandboxes. Unset:
     * no service may resolve.
     */
    SECRETS_RESOLVERS: z
      .string()
      .default('')
      .transform(commaSeparated)
      .refine(
        (entries) => entries.every((entry) => RESOLVER_ENTRY.test(entry)),
        `Expected <service>:<${SECRET_USAGES.join('|')}>:<sha256 hex of its token>, comma-separated`,
      )
      .transform((entries) => entries.map(toResolver)),
  })
  .superRefine((config, context) => {
    if (config.NODE_ENV === 'production' && !config.SECRETS_MASTER_KEY) {
      context.addIssue({
        code: 'custom',
        path: ['SECRETS_MASTER_KEY'],
        message: 'Required when NODE_ENV is production',
      });
    }
    if (config.KEY_STORE_SCHEMA === config.READ_MODEL_SCHEMA) {
      context.addIssue({
        code: 'custom',
        path: ['KEY_STORE_SCHEMA'],
        message: 'Must differ from READ_MODEL_SCHEMA, which may be dropped and rebuilt from events',
      });
    }
  });
export type SecretsVaultConfig = z.infer<typeof secretsVaultConfigSchema>;

/** Injection token of the validated configuration. */
export const SECRETS_VAULT_CONFIG = Symbol('SECRETS_VAULT_CONFIG');

export function loadSecretsVaultConfig(env: NodeJS.ProcessEnv = process.env): SecretsVaultConfig {
  return loadConfig('secrets-vault', secretsVaultConfigSchema, env);
}
