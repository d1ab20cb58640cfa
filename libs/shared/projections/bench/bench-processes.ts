import type { PostgresEventStoreOptions } from '@orgplane/event-store';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** What the bench hands to each helper process on its command line. */
export interface BenchDatabase {
  connectionString: string;
  storeSchema: string;
  readSchema: string;
  /** overrides of the event store's timing, the same for every store of the run; {} = defaults */
  storeTiming: StoreTiming;
}

export type StoreTiming = Pick<PostgresEventStoreOptions, 'settleDelayMs' | 'notifyIntervalMs'>;

/** Every store of the run, in any process, opens the same way. */
export function storeOptions(
  database: BenchDatabase,
  poolSize?: number,
): PostgresEventStoreOptions {
  return {
    connectionString: database.connectionString,
    schema: database.storeSchema,
    poolSize,
    ...database.storeTiming,
  };
}

export interface LoadRequest extends BenchDatabase {
  appendsPerSecond: number;
  writers: number;
}

export type RunnerMessage = { kind: 'running' };
export type LoadMessage =
  { kind: 'started' } | { kind: 'stopped'; appends: number; elapsedMs: number };

/** `stop` from the bench: finish, report, exit. */
export const STOP = 'stop';

/** A helper process of the bench, started from a file beside this one, talking over IPC. */
export class HelperProcess<Message extends { kind: string }> {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private readonly inbox: Message[] = [];
  private readonly waiting = new Set<() => void>();

  constructor(file: string, request: BenchDatabase) {
    this.child = fork(path.join(__dirname, file), [JSON.stringify(request)], {
      execArgv: ['-r', '@swc-node/register'],
    });
    this.child.on('message', (message: Message) => {
      this.inbox.push(message);
      for (const wake of [...this.waiting]) wake();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => {
      for (const wake of [...this.waiting]) wake();
    });
  }

  /** Resolves with the first message of this kind; rejects if the process exits first. */
  async next<Kind extends Message['kind']>(kind: Kind): Promise<Extract<Message, { kind: Kind }>> {
    for (;;) {
      const index = this.inbox.findIndex((message) => message.kind === kind);
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Extract<Message, { kind: Kind }>;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`bench helper ${this.child.spawnfile} exited before sending ${kind}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiting.delete(wake);
          resolve();
        };
        this.waiting.add(wake);
      });
    }
  }

  /** Asks the process to finish; resolves with its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.connected) this.child.send(STOP);
    return this.exited;
  }
}

/** In a helper process: the request it was started with, and a way to hear `stop`. */
export function helperRequest<Request extends BenchDatabase>(): Request {
  return JSON.parse(process.argv[2]) as Request;
}

/** In a helper process: sends a message to the bench, resolved once it is on its way. */
export function tellBench(message: RunnerMessage | LoadMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, undefined, undefined, (error) => (error ? reject(error) : resolve())),
  );
}

/** In a helper process: runs `stop` when the bench says so, then exits. */
export function onStop(stop: () => Promise<void>): void {
  process.on('message', (message) => {
    if (message !== STOP) return;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
