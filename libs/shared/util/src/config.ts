import type { z } from 'zod';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Reads configuration from environment variables through a zod schema, so a service refuses to
 * start with a message naming every variable that is wrong, instead of failing later.
 */
export function loadConfig<Schema extends z.ZodType>(
  service: string,
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<Schema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    // Values are never echoed: some variables hold keys and passwords.
    const state = env[variable] === undefined ? 'unset' : 'set';
    return `  - ${variable} (${state}): ${issue.message}`;
  });
  throw new ConfigurationError(`${service}: invalid configuration\n${problems.join('\n')}`);
}
