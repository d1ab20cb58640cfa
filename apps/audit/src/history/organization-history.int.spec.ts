import { PostgresEventStore, type RecordedEvent } from '@orgplane/event-store';
import { ProjectionRunner } from '@orgplane/projections';
import { dropSchema, eventually, testDatabaseUrl, uniqueSchemaName } from '@orgplane/testing';
import { DataSource } from 'typeorm';
import { organizationHistory } from '../audit-log/testing/organization-history.fixture';
import type { StreamEvent } from '../audit-log/testing/service-events.fixture';
import { OrganizationHistory } from './application/organization-history';
import { isFolded } from './domain/organization-fold';
import { HistorySnapshotsProjection } from './infrastructure/history-snapshots.projection';
import { HistorySnapshotsQuery, type ReplayMoment } from './infrastructure/history-snapshots.query';
import { HISTORY_SNAPSHOTS_TABLE } from './infrastructure/history.tables';

jest.setTimeout(120_000);

const url = testDatabaseUrl();
/** small, so the 3,000 events below leave many snapshots to start from */
const SNAPSHOT_EVERY = 100;

describe('history replay', () => {
  const storeSchema = uniqueSchemaName('history_store');
  const schema = uniqueSchemaName('history_read');
  let store: PostgresEventStore;
  let dataSource: DataSource;
  let runner: ProjectionRunner;
  let fromSnapshots: OrganizationHistory;
  let fromStart: OrganizationHistory;
  let history: StreamEvent[];
  let organizationId: string;
  let recorded: RecordedEvent[];

  const query = (text: string, parameters: unknown[] = []) =>
    dataSource.query(text, parameters) as Promise<Record<string, string>[]>;

  beforeAll(async () => {
    store = await PostgresEventStore.create({ connectionString: url, schema: storeSchema });
    dataSource = await new DataSource({ type: 'postgres', url, poolSize: 4 }).initialize();
    history = organizationHistory(3000, 7);
    const neighbour = organizationHistory(600, 8);
    // another organization's events in between: a replay must leave them out
    const append = async (from: number, to: number) => {
      for (let index = from; index < to; index++) {
        const { streamName, event } = history[index];
        await store.append(streamName, [event]);
        const other = neighbour[index];
        if (other) await store.append(other.streamName, [other.event]);
      }
    };
    /** a runner with a projection of its own: nothing in memory, whatever ran before */
    const catchUp = async () => {
      const projection = new HistorySnapshotsProjection(SNAPSHOT_EVERY);
      runner = new ProjectionRunner(store, dataSource, projection, {
        schema,
        batchSize: 250,
        logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      });
      runner.start();
      await eventually(async () => expect((await runner.lag()).caughtUp).toBe(true), {
        timeoutMs: 60_000,
      });
    };
    // halfway, the projection stops; the next one rebuilds its folds from snapshots and the store
    await append(0, 1537);
    await catchUp();
    await runner.stop();
    await append(1537, history.length);
    await catchUp();
    organizationId = history.find((item) => item.event.metadata.orgId)!.event.metadata.orgId!;
    recorded = (await store.readAll({ filter: { organizationId } })).filter((event) =>
      isFolded(event.streamName),
    );
    fromSnapshots = new OrganizationHistory(store, new HistorySnapshotsQuery(query, schema));
    fromStart = new OrganizationHistory(store, null);
  });

  afterAll(async () => {
    await runner?.stop();
    await store?.close();
    await dataSource?.destroy();
    await dropSchema(url, storeSchema);
    await dropSchema(url, schema);
  });

  it('replays from a snapshot exactly what a fold from the first event gives, at many positions', async () => {
    const snapshots = await query(
      `SELECT count(*)::int AS count FROM "${schema}".${HISTORY_SNAPSHOTS_TABLE}`,
    );
    expect(Number(snapshots[0].count)).toBeGreaterThanOrEqual(
      Math.floor(recorded.length / SNAPSHOT_EVERY),
    );

    const moments: ReplayMoment[] = recorded
      .filter((_event, index) => index % 97 === 0 || index % SNAPSHOT_EVERY === SNAPSHOT_EVERY - 1)
      .concat(recorded[recorded.length - 1])
      .map((event) => ({ position: event.position }));
    for (const moment of moments) {
      expect(await fromSnapshots.stateAt(organizationId, moment)).toEqual(
        await fromStart.stateAt(organizationId, moment),
      );
    }
    const last = await fromSnapshots.stateAt(organizationId, moments[moments.length - 1]);
    expect(last.eventCount).toBe(recorded.length);
  });

  it('replays as of times the same way, up to the first event recorded after the time', async () => {
    const times = recorded
      .filter((_event, index) => index % 131 === 0)
      .map((event) => event.createdAt)
      .concat(new Date(recorded[0].createdAt.getTime() - 1000), new Date(Date.now() + 60_000));
    for (const at of times) {
      const state = await fromSnapshots.stateAt(organizationId, { at });
      expect(state).toEqual(await fromStart.stateAt(organizationId, { at }));
      const foldedTimes = recorded
        .slice(0, state.eventCount)
        .map((event) => event.createdAt.getTime());
      expect(foldedTimes.every((time) => time <= at.getTime())).toBe(true);
      expect(recorded[state.eventCount]?.createdAt.getTime() ?? Infinity).toBeGreaterThan(
        at.getTime(),
      );
    }
  });

  it('shows nothing before the organization existed', async () => {
    const before = await fromSnapshots.stateAt(organizationId, {
      at: new Date(recorded[0].createdAt.getTime() - 1000),
    });

    expect(before).toMatchObject({
      position: null,
      eventCount: 0,
      organization: null,
      members: [],
    });
  });

  it('shows the organization as its events left it: members, keys, secrets, resources', async () => {
    const state = await fromSnapshots.stateAt(organizationId, { at: new Date() });
    const types = (prefix: string) =>
      recorded.filter((event) => event.streamName.startsWith(prefix));

    expect(state.organization).toMatchObject({ id: organizationId, status: 'active' });
    expect(state.members.length).toBeGreaterThan(1);
    expect(state.apiKeys.length).toBe(new Set(types('api-key-').map((e) => e.streamName)).size);
    expect(state.secrets.length).toBeGreaterThan(0);
    expect(state.projects.some((project) => project.isDefault)).toBe(true);
    expect(state.workspaces.length).toBeGreaterThan(0);
    expect(state.resources.length).toBeGreaterThan(0);
    expect(state.apiKeys.some((key) => key.status === 'revoked')).toBe(true);
  });

  it('keeps no secret value, ciphertext or key hash in states or snapshots', async () => {
    const material = history.flatMap(({ event }) => {
      const data = event.data as Record<string, unknown>;
      const value = data.value as { ciphertext?: string } | undefined;
      return [data.keyHash, data.previousKeyHash, value?.ciphertext].filter(
        (text): text is string => typeof text === 'string',
      );
    });
    expect(material.length).toBeGreaterThan(10);
    const stored = await query(`SELECT fold FROM "${schema}".${HISTORY_SNAPSHOTS_TABLE}`);
    const state = JSON.stringify(await fromSnapshots.stateAt(organizationId, { at: new Date() }));

    for (const text of [state, ...stored.map((row) => row.fold)]) {
      expect(material.filter((secret) => text.includes(secret))).toEqual([]);
    }
  });

  it('tells what changed between two moments', async () => {
    const middle = recorded[Math.floor(recorded.length / 2)].position;
    const end = recorded[recorded.length - 1].position;

    const diff = await fromSnapshots.diff(organizationId, { position: middle }, { position: end });
    const [before, after] = await Promise.all([
      fromStart.stateAt(organizationId, { position: middle }),
      fromStart.stateAt(organizationId, { position: end }),
    ]);

    for (const collection of ['apiKeys', 'secrets', 'members', 'resources'] as const) {
      const beforeIds = new Set(
        before[collection].map((item) => ('id' in item ? item.id : item.userId)),
      );
      const afterIds = new Set(
        after[collection].map((item) => ('id' in item ? item.id : item.userId)),
      );
      expect(diff.changes[collection].added).toHaveLength(
        [...afterIds].filter((id) => !beforeIds.has(id)).length,
      );
      expect(diff.changes[collection].removed).toHaveLength(
        [...beforeIds].filter((id) => !afterIds.has(id)).length,
      );
    }
    const changedTotal = Object.values(diff.changes).reduce(
      (total, change) =>
        total + change.added.length + change.removed.length + change.changed.length,
      0,
    );
    expect(changedTotal).toBeGreaterThan(0);
    expect(
      await fromSnapshots.diff(organizationId, { position: end }, { position: end }),
    ).toMatchObject({
      organization: [],
      changes: { members: { added: [], removed: [], changed: [] } },
    });
  });
});
