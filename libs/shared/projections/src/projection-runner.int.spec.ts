import { comparePositions, type Position, type RecordedEvent } from '@orgplane/event-store';
// Specs may use the testing library; the tag rules only mean to keep it out of production code.
import { eventually } from '@orgplane/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { readCheckpoint } from './checkpoints';
import { ProjectionBatchError, type ProjectionRunner } from './projection-runner';
import { defineProjection } from './projection';
import {
  memberAdded,
  memberRemoved,
  memberRoleChanged,
  ORG_MEMBERS,
  orgMembersProjection,
  type MemberEvent,
  organizationRenamed,
  readOrgMembers,
} from './testing/org-members.fixture';
import { openDataSource, openHarness, type ProjectionHarness } from './testing/projection-harness';

let dataSource: DataSource;
let harness: ProjectionHarness;

beforeAll(async () => {
  dataSource = await openDataSource();
});
afterAll(() => dataSource.destroy());
beforeEach(async () => {
  harness = await openHarness(dataSource);
});
afterEach(() => harness.close());

const org = () => `org-${randomUUID()}`;
const checkpoint = () => readCheckpoint(dataSource, harness.schema, ORG_MEMBERS);
const snapshot = () => readOrgMembers(dataSource, harness.schema);

/** Appends `count` MemberAdded events (users u1..uN) to one organization's stream. */
async function addMembers(orgId: string, count: number, from = 1): Promise<Position> {
  const events = Array.from({ length: count }, (_, index) =>
    memberAdded(orgId, `u${from + index}`),
  );
  return (await harness.store.append(`organization-${orgId}`, events)).position;
}

async function memberEvents(): Promise<RecordedEvent[]> {
  return harness.store.readAll({ filter: { eventTypes: ['MemberAdded'] } });
}

function expectApplied(orgId: string, count: number) {
  return eventually(async () => {
    const { members, tallies } = await snapshot();
    expect(tallies).toEqual([{ org_id: orgId, applied: count }]);
    expect(members.map((member) => member.user_id).sort()).toEqual(
      Array.from({ length: count }, (_, index) => `u${index + 1}`).sort(),
    );
  });
}

const stateOf = (runner: ProjectionRunner) => runner.status.state;

describe('ProjectionRunner', () => {
  it('applies events in order and commits each batch with its checkpoint', async () => {
    const orgId = org();
    const runner = harness.runner(orgMembersProjection());
    runner.start();
    await addMembers(orgId, 2);
    await harness.store.append(`organization-${orgId}`, [
      memberRoleChanged(orgId, 'u1', 'admin'),
      memberRemoved(orgId, 'u2'),
    ]);
    const { position } = await harness.store.append(`organization-${orgId}`, [
      memberAdded(orgId, 'u3'),
    ]);

    await eventually(async () => expect(await checkpoint()).toEqual(position));
    expect(await snapshot()).toEqual({
      members: [
        { org_id: orgId, user_id: 'u1', role: 'admin' },
        { org_id: orgId, user_id: 'u3', role: 'member' },
      ],
      tallies: [{ org_id: orgId, applied: 5 }],
    });
    expect(stateOf(runner)).toBe('running');
  });

  it('resumes from its checkpoint when its connection dies mid-batch: nothing lost or applied twice', async () => {
    const orgId = org();
    await addMembers(orgId, 10);
    const [, , , fourth] = await memberEvents();
    let paused!: () => void;
    const reachedSixth = new Promise<void>((resolve) => (paused = resolve));
    let resume!: () => void;
    const released = new Promise<void>((resolve) => (resume = resolve));
    let held = false;
    const runner = harness.runner(
      orgMembersProjection({
        async beforeReduce(event) {
          if (event.data.userId === 'u6' && !held) {
            held = true;
            paused();
            await released;
          }
        },
      }),
    );
    runner.start();

    await reachedSixth; // batches of 4: the second batch (u5..u8) is half applied, uncommitted
    expect(await checkpoint()).toEqual(fourth.position);
    const holder = await harness.lockHolder(ORG_MEMBERS);
    await harness.terminateBackend(holder!);
    resume();

    await expectApplied(orgId, 10);
    expect(harness.logs.some((line) => line.includes('lost its lock connection'))).toBe(true);
    expect(await harness.lockHolder(ORG_MEMBERS)).not.toBe(holder);
  });

  it('resumes in a fresh runner after one failed on the Nth event: nothing lost or applied twice', async () => {
    const orgId = org();
    await addMembers(orgId, 10);
    const events = await memberEvents();
    const broken = harness.runner(
      orgMembersProjection({
        beforeReduce(event) {
          if (event.data.userId === 'u7') throw new Error('disk full');
        },
      }),
      { retryDelayMs: 60_000 },
    );
    broken.start();
    await eventually(() => expect(stateOf(broken)).toBe('failing'));
    expect(await checkpoint()).toEqual(events[3].position);
    await broken.stop();

    const fresh = harness.runner(orgMembersProjection());
    fresh.start();
    await expectApplied(orgId, 10);
    expect(await checkpoint()).toEqual(events[9].position);
  });

  it('stops at a failing event, keeps retrying it, and proceeds once the fault is fixed', async () => {
    const orgId = org();
    await addMembers(orgId, 6);
    const events = await memberEvents();
    let faulty = true;
    const runner = harness.runner(
      orgMembersProjection({
        beforeReduce(event) {
          if (faulty && event.data.userId === 'u6') throw new Error('constraint violated');
        },
      }),
    );
    runner.start();

    await eventually(() => {
      const status = runner.status;
      if (status.state !== 'failing') throw new Error(`state ${status.state}`);
      expect(status.attempts).toBeGreaterThanOrEqual(3);
      expect(status.failedEvent).toEqual({
        id: events[5].id,
        type: 'MemberAdded',
        streamName: `organization-${orgId}`,
        position: events[5].position,
      });
      expect(status.error.message).toContain(`event ${events[5].id} (MemberAdded)`);
    });
    // The batch u5..u6 rolled back whole; the checkpoint stayed before it.
    expect(await checkpoint()).toEqual(events[3].position);
    expect((await snapshot()).tallies).toEqual([{ org_id: orgId, applied: 4 }]);
    expect(harness.logs.some((line) => line.includes(events[5].id))).toBe(true);

    faulty = false;
    await expectApplied(orgId, 6);
    await eventually(() => expect(stateOf(runner)).toBe('running'));
    expect(await checkpoint()).toEqual(events[5].position);
  });

  it('rebuilds a read model equal to the incrementally built one, never showing a half-built one', async () => {
    const [first, second] = [org(), org()];
    for (const orgId of [first, second]) {
      await addMembers(orgId, 6);
      await harness.store.append(`organization-${orgId}`, [
        organizationRenamed(orgId, 'Renamed'),
        memberRoleChanged(orgId, 'u2', 'admin'),
        memberRemoved(orgId, 'u3'),
      ]);
    }
    let slow = false;
    const runner = harness.runner(
      orgMembersProjection({
        beforeReduce: () => (slow ? new Promise((resolve) => setTimeout(resolve, 2)) : undefined),
      }),
    );
    runner.start();
    const { position: head } = await harness.store.append(`organization-${second}`, [
      memberRoleChanged(second, 'u1', 'admin'),
    ]);
    await eventually(async () => expect(await checkpoint()).toEqual(head));
    const incremental = await snapshot();

    slow = true;
    const seenCounts = new Set<number>();
    let rebuilding = true;
    const reader = (async () => {
      while (rebuilding) {
        const [{ count }] = await dataSource.query(
          `SELECT count(*)::int AS count FROM "${harness.schema}".${ORG_MEMBERS}`,
        );
        seenCounts.add(count);
      }
    })();
    await runner.rebuild();
    rebuilding = false;
    await reader;

    expect(await snapshot()).toEqual(incremental);
    expect(await checkpoint()).toEqual(head);
    expect([...seenCounts]).toEqual([incremental.members.length]);
    expect(stateOf(runner)).toBe('running');

    // and it keeps following afterwards
    const { position } = await harness.store.append(`organization-${first}`, [
      memberRemoved(first, 'u1'),
    ]);
    await eventually(async () => expect(await checkpoint()).toEqual(position));
  });

  it('replaces a read model whose version changed: new tables, every event again, once', async () => {
    const orgId = org();
    const first = harness.runner(orgMembersProjection());
    first.start();
    const position = await addMembers(orgId, 3);
    await eventually(async () => expect(await checkpoint()).toEqual(position));
    await first.stop();

    // Version 2 records who was added by a column version 1 did not have.
    let applied = 0;
    const secondVersion = () =>
      defineProjection<MemberEvent>({
        name: ORG_MEMBERS,
        version: 2,
        tables: [ORG_MEMBERS],
        async setup({ manager, table }) {
          await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ORG_MEMBERS)} (
            org_id text NOT NULL, user_id text NOT NULL, added_in_version integer NOT NULL
          )`);
        },
        async reset({ manager, table }) {
          await manager.query(`DELETE FROM ${table(ORG_MEMBERS)}`);
        },
        reducers: {
          async MemberAdded(event, { manager, table }) {
            applied += 1;
            await manager.query(`INSERT INTO ${table(ORG_MEMBERS)} VALUES ($1, $2, 2)`, [
              event.data.orgId,
              event.data.userId,
            ]);
          },
        },
      });
    const rows = () =>
      dataSource.query(
        `SELECT user_id, added_in_version FROM "${harness.schema}".${ORG_MEMBERS} ORDER BY user_id`,
      );
    const second = harness.runner(secondVersion());
    second.start();
    await eventually(async () =>
      expect(await rows()).toEqual(
        ['u1', 'u2', 'u3'].map((user_id) => ({ user_id, added_in_version: 2 })),
      ),
    );
    expect(
      await dataSource.query(
        `SELECT version FROM "${harness.schema}".projection_versions WHERE name = $1`,
        [ORG_MEMBERS],
      ),
    ).toEqual([{ version: 2 }]);
    expect(await checkpoint()).toEqual(position);
    await second.stop();

    // The same version again: the read model stands, nothing is replayed.
    const third = harness.runner(secondVersion());
    third.start();
    await eventually(() => expect(third.status.state).toBe('running'));
    expect(applied).toBe(3);
    expect(await rows()).toHaveLength(3);
  });

  it('rebuilds an empty read model to no checkpoint at all', async () => {
    const runner = harness.runner(orgMembersProjection());
    runner.start();
    await eventually(() => expect(stateOf(runner)).toBe('running'));
    await runner.rebuild();
    expect(await checkpoint()).toBeNull();
    expect(await snapshot()).toEqual({ members: [], tallies: [] });
  });

  it('names the batch when a projection of its own making fails without naming the event', async () => {
    const orgId = org();
    await addMembers(orgId, 3);
    const events = await memberEvents();
    const inner = orgMembersProjection();
    let faulty = true;
    const runner = harness.runner({
      ...inner,
      async apply(batch, context) {
        if (faulty) throw new Error('no space left');
        await inner.apply(batch, context);
      },
    });
    runner.start();

    await eventually(() => {
      const status = runner.status;
      if (status.state !== 'failing') throw new Error(`state ${status.state}`);
      expect(status.failedEvent).toBeNull();
      expect(status.error).toBeInstanceOf(ProjectionBatchError);
      expect(status.error.message).toContain(`from ${events[0].id} (MemberAdded)`);
      expect(status.error.message).toContain(`to ${events[2].id} (MemberAdded)`);
    });
    expect(await checkpoint()).toBeNull();
    faulty = false;
    await expectApplied(orgId, 3);
    await eventually(() => expect(stateOf(runner)).toBe('running'));
  });

  it('refuses to rebuild where it is not the active instance', async () => {
    const active = harness.runner(orgMembersProjection());
    const standby = harness.runner(orgMembersProjection());
    active.start();
    await eventually(() => expect(stateOf(active)).toBe('running'));
    standby.start();
    await eventually(() => expect(stateOf(standby)).toBe('standby'));
    await expect(standby.rebuild()).rejects.toThrow(/standby here: rebuild it where it is active/);
  });

  it('runs one active instance; a standby takes over when it stops, crashes or loses its connection', async () => {
    const orgId = org();
    const [a, b] = [harness.runner(orgMembersProjection()), harness.runner(orgMembersProjection())];
    a.start();
    b.start();
    const activeAndStandby = () =>
      eventually(() => {
        expect([stateOf(a), stateOf(b)].sort()).toEqual(['running', 'standby']);
        return stateOf(a) === 'running' ? [a, b] : [b, a];
      });
    // lock retries every 50 ms: a takeover within a second leaves room for a loaded machine
    const takeover = { timeoutMs: 1000 };
    let [active, standby] = await activeAndStandby();
    await addMembers(orgId, 4);
    await expectApplied(orgId, 4);

    // stopped
    await active.stop();
    await eventually(() => expect(stateOf(standby)).toBe('running'), takeover);
    await addMembers(orgId, 4, 5);
    await expectApplied(orgId, 8);

    // crashed: the process is gone, the server drops the lock with its connection
    active.start();
    [active, standby] = await activeAndStandby();
    let holder = await harness.lockHolder(ORG_MEMBERS);
    await harness.terminateBackend(holder!);
    const crashed = active.stop();
    await eventually(() => expect(stateOf(standby)).toBe('running'), takeover);
    await crashed;
    await addMembers(orgId, 4, 9);
    await expectApplied(orgId, 12);

    // connection lost, process alive: it notices, lets go, and waits as a standby
    active.start();
    [active, standby] = await activeAndStandby();
    holder = await harness.lockHolder(ORG_MEMBERS);
    await harness.terminateBackend(holder!);
    await eventually(async () => {
      const newHolder = await harness.lockHolder(ORG_MEMBERS);
      expect(newHolder).not.toBeNull();
      expect(newHolder).not.toBe(holder);
    }, takeover);
    await activeAndStandby();
    await addMembers(orgId, 4, 13);
    await expectApplied(orgId, 16);
  });

  it('fences off an instance stuck mid-transaction: the server ends its session, a standby takes over', async () => {
    const orgId = org();
    let unstick!: () => void;
    const stuck = new Promise<void>((resolve) => (unstick = resolve));
    const options = { idleInTransactionTimeoutMs: 200 };
    const hung = harness.runner(
      orgMembersProjection({
        beforeReduce: (event) => (event.data.userId === 'u2' ? stuck : undefined),
      }),
      options,
    );
    hung.start();
    await eventually(() => expect(stateOf(hung)).toBe('running'));
    const standby = harness.runner(orgMembersProjection(), options);
    standby.start();
    await eventually(() => expect(stateOf(standby)).toBe('standby'));

    await addMembers(orgId, 3);
    await eventually(() => expect(stateOf(standby)).toBe('running'), { timeoutMs: 2000 });
    await expectApplied(orgId, 3);

    unstick(); // its transaction is long gone: what it does now cannot commit
    await eventually(() => expect(stateOf(hung)).toBe('standby'));
    await addMembers(orgId, 1, 4);
    await expectApplied(orgId, 4);
  });

  it('reports lag: behind while events wait, caught up once applied', async () => {
    const orgId = org();
    const runner = harness.runner(orgMembersProjection());
    const before = await runner.lag();
    expect(before).toEqual({ checkpoint: null, head: null, caughtUp: true, timeLagMs: 0 });

    const head = await addMembers(orgId, 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const behind = await runner.lag();
    expect(behind).toMatchObject({ checkpoint: null, head, caughtUp: false });
    expect(behind.timeLagMs).toBeGreaterThanOrEqual(40);

    runner.start();
    await eventually(async () =>
      expect(await runner.lag()).toEqual({ checkpoint: head, head, caughtUp: true, timeLagMs: 0 }),
    );

    // an event the projection does not read still moves its checkpoint, through onCheckpoint
    const { position: unrelated } = await harness.store.append(`organization-${orgId}`, [
      organizationRenamed(orgId, 'Elsewhere'),
    ]);
    await eventually(async () => {
      const lag = await runner.lag();
      expect(lag.head).toEqual(unrelated);
      expect(lag.caughtUp).toBe(true);
      expect(comparePositions(lag.checkpoint!, unrelated)).toBe(0);
    });
  });
});
