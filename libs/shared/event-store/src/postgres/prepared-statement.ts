import { createHash } from 'node:crypto';
import type { QueryConfig } from 'pg';

const names = new Map<string, string>();

/**
 * A named (server-side prepared) statement: parsed and planned once per connection. The name is
 * derived from the text, so every schema and query variant gets its own and none collide.
 */
export function preparedStatement(text: string, values: unknown[]): QueryConfig<unknown[]> {
  let name = names.get(text);
  if (name === undefined) {
    name = `es_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return { name, text, values };
}
