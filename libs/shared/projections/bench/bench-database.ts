import { Client } from 'pg';

/**
 * Creates the bench's database when it is missing. Not the services' ensureDatabase: that lives
 * in @orgplane/messaging, which depends on this library.
 */
export async function createDatabaseIfMissing(connectionString: string): Promise<void> {
  const name = decodeURIComponent(new URL(connectionString).pathname.slice(1));
  const maintenance = new URL(connectionString);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
