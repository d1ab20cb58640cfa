import type { DataSource } from 'typeorm';
import { createSchemaSql, type SqlExecutor } from './checkpoints';
import { schemaDdlLockKey } from './projection-lock';

/**
 * Runs a service's own DDL (tables that are not read models, which no projection sets up) in its
 * schema, in one transaction under the schema's DDL lock, the one projection runners take for
 * their setup: concurrent `CREATE ... IF NOT EXISTS` from several instances can otherwise collide
 * in PostgreSQL's catalog ("type ... already exists").
 */
export async function runSchemaDdl(
  dataSource: DataSource,
  schema: string,
  statements: string[],
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await lockSchemaForDdl(manager, schema);
    for (const statement of statements) await manager.query(statement);
  });
}

/**
 * Inside a transaction: waits for the schema's DDL lock (held to the end of the transaction) and
 * creates the schema if it is missing.
 */
export async function lockSchemaForDdl(executor: SqlExecutor, schema: string): Promise<void> {
  await executor.query('SELECT pg_advisory_xact_lock($1::bigint)', [
    schemaDdlLockKey(schema).toString(),
  ]);
  // CREATE SCHEMA needs a privilege a service's role may lack, even when the schema exists.
  const [{ exists }] = (await executor.query(
    'SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS exists',
    [schema],
  )) as { exists: boolean }[];
  if (!exists) await executor.query(createSchemaSql(schema));
}
