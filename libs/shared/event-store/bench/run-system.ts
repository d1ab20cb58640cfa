/**
 * One repetition for one system, in a process of its own: Emmett's pool wrapper replaces
 * node-pg's global JSON parsers, and a fresh process also gives every system the same cold start
 * (JIT, heap, connections). Started by eventstore.bench.ts, which reads the messages it sends.
 */
import type { BenchSizes, SystemName } from './config';
import {
  checkpoint,
  connectionStringForSchema,
  createSchema,
  dropSchema,
  vacuumDatabase,
} from './database';
import { installQueryCounter } from './query-counter';
import type { OpenSystem } from './systems/system';
import { runAllPhases, type PhaseResult } from './workloads';

export interface SystemRunRequest {
  system: SystemName;
  schema: string;
  benchConnectionString: string;
  sizes: BenchSizes;
}

/** What the process sends its parent: each measured cell, then a failure if one happens. */
export type SystemRunMessage =
  { kind: 'phase'; phase: PhaseResult } | { kind: 'failed'; message: string };

function sendToParent(message: SystemRunMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) throw new Error('run-system.ts is started by eventstore.bench.ts');
    process.send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
  });
}

/** Loaded on demand so a process only ever loads the one system it measures. */
async function loadSystem(system: SystemName): Promise<OpenSystem> {
  switch (system) {
    case 'raw':
      return (await import('./systems/raw')).openRawSystem;
    case 'emmett':
      return (await import('./systems/emmett')).openEmmettSystem;
    case 'ours':
      return (await import('./systems/ours')).openOurSystem;
  }
}

async function runSystem(request: SystemRunRequest): Promise<void> {
  const openSystem = await loadSystem(request.system);
  installQueryCounter();
  await createSchema(request.benchConnectionString, request.schema);
  try {
    await checkpoint(request.benchConnectionString);
    const system = await openSystem({
      connectionString: connectionStringForSchema(request.benchConnectionString, request.schema),
      schema: request.schema,
      poolSize: request.sizes.writers,
    });
    try {
      await runAllPhases(system, request.sizes, {
        beforeReads: () => vacuumDatabase(request.benchConnectionString),
        onPhase: (phase) => sendToParent({ kind: 'phase', phase }),
      });
    } finally {
      await system.close();
    }
  } finally {
    await dropSchema(request.benchConnectionString, request.schema);
  }
}

const request = JSON.parse(process.argv[2]) as SystemRunRequest;
// Exits explicitly: a store that leaves a timer or a connection behind must not hang the run.
runSystem(request).then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await sendToParent({ kind: 'failed', message: String(error) });
    process.exit(1);
  },
);
