/**
 * Background load: `writers` concurrent writers appending one MemberAdded each, paced together at
 * `appendsPerSecond`, through an event store of this process's own, as other service instances
 * would. The projection reads these events too, so its runner has their work to do.
 */
import { PostgresEventStore } from '@orgplane/event-store';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { memberAdded } from '../src/testing/org-members.fixture';
import {
  helperRequest,
  onStop,
  storeOptions,
  tellBench,
  type LoadRequest,
} from './bench-processes';

async function main() {
  const request = helperRequest<LoadRequest>();
  const { appendsPerSecond, writers } = request;
  const store = await PostgresEventStore.create(storeOptions(request, writers));
  const intervalMs = (1000 * writers) / appendsPerSecond;
  const startedAt = performance.now();
  let appends = 0;
  let stopping = false;

  /** On a fixed schedule from the start, so a slow append is made up for, not a lasting gap. */
  const write = async (writer: number) => {
    // a fresh organization per run: a second load in the same read model must not collide
    const orgId = `load-${randomUUID()}`;
    for (let turn = 0; !stopping; turn += 1) {
      const dueAt = startedAt + (writer / writers + turn) * intervalMs;
      const wait = dueAt - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopping) return;
      await store.append(`organization-${orgId}`, [memberAdded(orgId, `user-${turn}`)]);
      appends += 1;
    }
  };
  const writing = Promise.all(Array.from({ length: writers }, (_, writer) => write(writer)));

  onStop(async () => {
    stopping = true;
    await writing;
    const elapsedMs = performance.now() - startedAt;
    await store.close();
    await tellBench({ kind: 'stopped', appends, elapsedMs });
  });
  await tellBench({ kind: 'started' });
  await writing;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
