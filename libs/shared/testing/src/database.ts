import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Tests use the machine's PostgreSQL, in a database of their own (created by Jest's global setup). */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/orgplane_test';
}

/** A schema name no other test uses: `<prefix>_<12 hex>`. */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
