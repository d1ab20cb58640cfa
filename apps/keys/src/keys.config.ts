import { eventSourcedServiceConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

export const keysConfigSchema = z.object(eventSourcedServiceConfigShape('keys'));
export type KeysConfig = z.infer<typeof keysConfigSchema>;

/** Injection token of the validated configuration. */
export const KEYS_CONFIG = Symbol('KEYS_CONFIG');

export function loadKeysConfig(env: NodeJS.ProcessEnv = process.env): KeysConfig {
  return loadConfig('keys', keysConfigSchema, env);
}
