import { Client } from 'pg';

/** Every schema the benchmark creates starts with this, so leftovers of a killed run are found. */
export const SCHEMA_PREFIX = 'esbench_';

/** Key of the advisory lock that lets one benchmark run at a time use the database. */
const RUN_LOCK_KEY = 'orgplane.event-store-bench';

async function withClient<T>(connectionString: string, use: (client: Client) => Promise<T>) {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Waits until no other benchmark run uses the database, then holds it until the returned release
 * is called. Two runs at once would skew each other's figures, drop each other's schemas as
 * leftovers, and break Emmett (see dropLeftoverSchemas). A session-level lock, held outside any
 * transaction, so it does not hold back the xmin horizon the `$all` readers wait for.
 */
export async function acquireRunLock(benchConnectionString: string): Promise<() => Promise<void>> {
  const client = new Client({ connectionString: benchConnectionString });
  await client.connect();
  const { rows } = await client.query<{ acquired: boolean }>(
    'SELECT pg_try_advisory_lock(hashtext($1)) AS acquired',
    [RUN_LOCK_KEY],
  );
  if (!rows[0].acquired) {
    console.error('Another benchmark run is using the database; waiting for it to finish.');
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [RUN_LOCK_KEY]);
  }
  return async () => {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [RUN_LOCK_KEY]);
    await client.end();
  };
}

/**
 * Drops the schemas of earlier runs that did not finish (call it holding the run lock). Not only tidiness: Emmett creates its
 * functions only when no function of that name exists anywhere in the database (it checks
 * `pg_proc` without a schema), so a leftover Emmett schema would leave the next one without them.
 */
export async function dropLeftoverSchemas(benchConnectionString: string) {
  await withClient(benchConnectionString, async (client) => {
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`,
      [SCHEMA_PREFIX],
    );
    for (const { nspname } of rows) await dropSchemaWith(client, nspname);
  });
}

async function dropSchemaWith(client: Client, schema: string) {
  await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
}

export async function createSchema(benchConnectionString: string, schema: string) {
  await withClient(benchConnectionString, (client) =>
    client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`),
  );
}

export async function dropSchema(benchConnectionString: string, schema: string) {
  await withClient(benchConnectionString, (client) => dropSchemaWith(client, schema));
}

/**
 * Sets hint bits and the visibility map on what the appends just wrote, as autovacuum would have
 * on a store in steady state, so that neither the read-all nor the catch-up cell pays for it.
 */
export async function vacuumDatabase(benchConnectionString: string) {
  await withClient(benchConnectionString, (client) => client.query('VACUUM (ANALYZE)'));
}

/**
 * Flushes what earlier runs (and anyone else) left dirty, so that a checkpoint their writes set
 * off does not land in the next system's cells.
 */
export async function checkpoint(benchConnectionString: string) {
  await withClient(benchConnectionString, (client) => client.query('CHECKPOINT'));
}

/** A connection string whose sessions resolve unqualified names in `schema` only. */
export function connectionStringForSchema(benchConnectionString: string, schema: string): string {
  const url = new URL(benchConnectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export interface ServerInfo {
  version: string;
  settings: Record<string, string>;
}

const REPORTED_SETTINGS = [
  'shared_buffers',
  'synchronous_commit',
  'fsync',
  'wal_level',
  'max_connections',
  'max_wal_size',
  'work_mem',
];

export async function readServerInfo(adminConnectionString: string): Promise<ServerInfo> {
  return withClient(adminConnectionString, async (client) => {
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    const settings = await client.query<{ name: string; setting: string }>(
      'SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1)',
      [REPORTED_SETTINGS],
    );
    return {
      version: version.rows[0].server_version,
      settings: Object.fromEntries(settings.rows.map((row) => [row.name, row.setting])),
    };
  });
}

/** Sessions of other databases busy in a query or transaction: what else loads the server. */
export async function countOtherBusySessions(
  adminConnectionString: string,
  databaseName: string,
): Promise<number> {
  return withClient(adminConnectionString, async (client) => {
    const { rows } = await client.query<{ busy: string }>(
      `SELECT count(*) AS busy FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
         AND datname IS DISTINCT FROM $1 AND state IS DISTINCT FROM 'idle'`,
      [databaseName],
    );
    return Number(rows[0].busy);
  });
}
