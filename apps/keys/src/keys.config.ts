import { baseConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

export const keysConfigSchema = z.object(baseConfigShape);
export type KeysConfig = z.infer<typeof keysConfigSchema>;

export function loadKeysConfig(env: NodeJS.ProcessEnv = process.env): KeysConfig {
  return loadConfig('keys', keysConfigSchema, env);
}
