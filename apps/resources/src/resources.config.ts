import { baseConfigShape } from '@orgplane/messaging';
import { loadConfig } from '@orgplane/util';
import { z } from 'zod';

export const resourcesConfigSchema = z.object(baseConfigShape);
export type ResourcesConfig = z.infer<typeof resourcesConfigSchema>;

export function loadResourcesConfig(env: NodeJS.ProcessEnv = process.env): ResourcesConfig {
  return loadConfig('resources', resourcesConfigSchema, env);
}
