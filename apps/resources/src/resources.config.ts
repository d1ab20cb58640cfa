import { eventSourcedServiceConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

const REGISTRAR_ENTRY = /^[a-z][a-z0-9-]{0,62}:[0-9a-fA-F]{64}$/;

export const resourcesConfigSchema = z.object({
  ...eventSourcedServiceConfigShape('resources'),
  /**
   * The platform services that may register resources: `<service>:<sha256 hex of its token>`,
   * comma-separated; each presents `<service>:<token>` in MESSAGE_HEADERS.serviceCredential.
   * Unset: no service may register.
   */
  RESOURCES_REGISTRARS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    )
    .refine(
      (entries) => entries.every((entry) => REGISTRAR_ENTRY.test(entry)),
      'Expected <service>:<sha256 hex of its token>, comma-separated',
    )
    .transform((entries) =>
      entries.map((entry) => {
        const [service, tokenSha256] = entry.split(':');
        return { service, tokenSha256: tokenSha256.toLowerCase() };
      }),
    ),
});
export type ResourcesConfig = z.infer<typeof resourcesConfigSchema>;

/** Injection token of the validated configuration. */
export const RESOURCES_CONFIG = Symbol('RESOURCES_CONFIG');

export function loadResourcesConfig(env: NodeJS.ProcessEnv = process.env): ResourcesConfig {
  return loadConfig('resources', resourcesConfigSchema, env);
}
