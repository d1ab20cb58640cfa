import { organizationEvents, organizationStreamName } from '@orgplane/contracts';
import { departureRunner, type OwnedItem } from '@orgplane/event-sourcing';
import { PostgresEventStore, type JsonObject } from '@orgplane/event-store';
import { projectionContext } from '@orgplane/projections';
import { dropSchema, eventually, testDatabaseUrl, uniqueSchemaName } from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { memberRemovalProjection, type KeyKind } from './member-removal.projection';

const url = testDatabaseUrl();
const schema = uniqueSchemaName('keys_removal_read');
const storeSchema = uniqueSchemaName('keys_removal_store');

let dataSource: DataSource;
let store: PostgresEventStore;

beforeAll(async () => {
  dataSource = await new DataSource({ type: 'postgres', url, poolSize: 2 }).initialize();
  store = await PostgresEventStore.create({ connectionString: url, schema: storeSchema });
});

afterAll(async () => {
  await store?.close();
  await dataSource?.destroy();
  await dropSchema(url, schema);
  await dropSchema(url, storeSchema);
});

/** The reaction's tables and indexes, other than primary keys. */
async function relations(): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT relname FROM pg_class JOIN pg_namespace ON pg_namespace.oid = relnamespace
      WHERE nspname = $1 AND relname LIKE 'member_removal_%'
        AND relname NOT LIKE '%_pkey' ORDER BY relname`,
    [schema],
  )) as { relname: string }[];
  return rows.map((row) => row.relname);
}

it('adopts the index of keys from before the shared departure projection, and goes on with it', async () => {
  // The index as issue 4 made it, holding one key whose creation lies before the checkpoint.
  const [keyId, organizationId, ownerUserId] = [newId(), newId(), newId()];
  await dataSource.query(`CREATE SCHEMA "${schema}"`);
  await dataSource.query(`CREATE TABLE "${schema}".member_removal_key_owners (
    key_id uuid PRIMARY KEY,
    kind text NOT NULL,
    organization_id uuid NOT NULL,
    owner_user_id uuid NOT NULL
  )`);
  await dataSource.query(`CREATE INDEX member_removal_key_owners_by_owner
    ON "${schema}".member_removal_key_owners (organization_id, owner_user_id)`);
  await dataSource.query(
    `INSERT INTO "${schema}".member_removal_key_owners VALUES ($1, 'api_key', $2, $3)`,
    [keyId, organizationId, ownerUserId],
  );

  const stopped: OwnedItem<KeyKind>[] = [];
  const projection = memberRemovalProjection({ stop: async (key) => void stopped.push(key) });
  const { type, schemaVersion, data } = organizationEvents.encode({
    type: 'MemberRemoved',
    data: {
      organizationId,
      userId: ownerUserId,
      role: 'member',
      removedBy: null,
      removedAt: new Date().toISOString(),
    },
  });
  const id = newId();
  await store.append(organizationStreamName(organizationId), [
    {
      type,
      schemaVersion,
      data: data as JsonObject,
      metadata: {
        orgId: null,
        actor: { type: 'system', id: 'spec' },
        requestId: id,
        correlationId: id,
        causationId: id,
      },
    },
  ]);
  const runner = departureRunner(store, dataSource, projection, {
    schema,
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
  });
  runner.start();
  try {
    await eventually(() =>
      expect(stopped).toEqual([{ id: keyId, kind: 'api_key', organizationId, ownerUserId }]),
    );
  } finally {
    await runner.stop();
  }
  // Setup runs whenever a runner becomes active: once adopted, the tables stay as they are.
  await projection.setup(projectionContext(dataSource.manager, schema, store));
  expect(await relations()).toEqual([
    'member_removal_deleted_organizations',
    'member_removal_departed_members',
    'member_removal_owned_items',
    'member_removal_owned_items_by_owner',
  ]);
});
