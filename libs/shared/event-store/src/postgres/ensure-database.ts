import { Client } from 'pg';

/**
 * Creates the database named in `url` when it does not exist yet, so a service starts on a fresh
 * PostgreSQL with nothing but a URL. Safe when several instances start at once.
 */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    await client
      .query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
      .catch((error: { code?: string }) => {
        // 42P04: another instance created it meanwhile; 23505: the same race seen from the catalog
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
  } finally {
    await client.end();
  }
}
