/**
 * Rebuilds read models of the running deployment from the event store:
 *
 *   npm run read-models:rebuild -- <service|all> [<projection>] [--json]
 *
 * Asks every instance of the service over NATS (`ops.v1.<service>.rebuildReadModels`): the one
 * holding each projection's lock rebuilds it; the others say they stand by. Prints, per
 * projection, the instance that rebuilt it, the events replayed, the time taken and the checkpoint
 * reached (`--json`: one JSON document instead). Exits 1 when a rebuild failed, when no instance
 * was active for a projection, or when no instance of a service answered; 2 on a usage error.
 *
 * Environment: NATS_URL (default nats://127.0.0.1:4222), ANSWER_TIMEOUT_MS (how long instances
 * have to say what they run, default 5000), REBUILD_TIMEOUT_MS (how long the rebuilds may take,
 * default 600000). The NATS user must be allowed to publish on `ops.>` (operators only).
 */
import { createInbox, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  OPERATIONS_SUBJECTS,
  READ_MODEL_SERVICES,
  readModelRebuildMessageSchema,
  type ReadModelRebuildMessage,
  type RebuildReadModelsRequest,
} from '@orgplane/contracts';

const USAGE = 'Usage: npm run read-models:rebuild -- <service|all> [<projection>] [--json]';
const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
/** NATS answers a request on a subject nobody listens to with this status */
const NO_RESPONDERS = 503;

type Instance = Pick<ReadModelRebuildMessage, 'instanceId' | 'host' | 'pid'>;

export type ProjectionOutcome = { service: string; projection: string } & (
  | {
      status: 'rebuilt';
      instance: Instance;
      /** the tables it rebuilt */
      tables: string[];
      /** the other instances that had answered by then */
      standbyOn: Instance[];
      eventsReplayed: number;
      durationMs: number;
      checkpoint: string | null;
    }
  | { status: 'failed'; instance: Instance; reason: string }
  /** every instance that answered stands by for it: none holds its lock, or it never answered */
  | { status: 'no_active_instance'; standbyOn: Instance[] }
  | { status: 'timed_out'; instance: Instance }
  | { status: 'unknown_projection'; known: string[] }
  | { status: 'no_instance_answered' }
);

interface ProjectionProgress {
  tables: string[];
  standbyOn: Instance[];
  rebuildingOn: Instance | null;
  outcome: ProjectionOutcome | null;
}

/** What one service's instances said so far. */
class ServiceRebuild {
  private readonly progress = new Map<string, ProjectionProgress>();
  private answered = false;
  private noResponders = false;

  constructor(
    readonly service: string,
    /** null: every projection the instances report */
    private readonly projection: string | null,
  ) {}

  receive(message: Msg): void {
    if (message.headers?.code === NO_RESPONDERS) {
      this.noResponders = true;
      return;
    }
    const parsed = readModelRebuildMessageSchema.safeParse(parseJson(message.string()));
    if (!parsed.success || parsed.data.service !== this.service) return;
    const reply = parsed.data;
    const instance = { instanceId: reply.instanceId, host: reply.host, pid: reply.pid };
    if (reply.kind === 'accepted') {
      this.answered = true;
      for (const { name, rebuilding, tables } of reply.projections) {
        const progress = this.progressOf(name);
        progress.tables = tables;
        if (rebuilding) progress.rebuildingOn = instance;
        else progress.standbyOn.push(instance);
      }
      return;
    }
    const base = { service: this.service, projection: reply.projection };
    const progress = this.progressOf(reply.projection);
    progress.outcome =
      reply.kind === 'rebuilt'
        ? {
            ...base,
            status: 'rebuilt',
            instance,
            tables: progress.tables,
            standbyOn: progress.standbyOn,
            eventsReplayed: reply.eventsReplayed,
            durationMs: reply.durationMs,
            checkpoint: reply.checkpoint,
          }
        : { ...base, status: 'failed', instance, reason: reply.reason };
  }

  /**
   * The outcomes once all are known; null while some are still to come. Past the answer deadline,
   * an instance that has not answered counts as absent; past the rebuild deadline, so does a
   * rebuild that has not finished.
   */
  outcomes({
    answersDue,
    rebuildsDue,
  }: {
    answersDue: boolean;
    rebuildsDue: boolean;
  }): ProjectionOutcome[] | null {
    const { service } = this;
    if (!this.answered) {
      return this.noResponders || answersDue
        ? [{ service, projection: '*', status: 'no_instance_answered' }]
        : null;
    }
    const known = [...this.progress.keys()].sort();
    if (this.projection && !this.progress.has(this.projection)) {
      return [{ service, projection: this.projection, status: 'unknown_projection', known }];
    }
    const outcomes: ProjectionOutcome[] = [];
    for (const projection of this.projection ? [this.projection] : known) {
      const { outcome, rebuildingOn, standbyOn } = this.progress.get(projection)!;
      if (outcome) outcomes.push(outcome);
      else if (rebuildingOn && rebuildsDue) {
        outcomes.push({ service, projection, status: 'timed_out', instance: rebuildingOn });
      } else if (!rebuildingOn && answersDue) {
        outcomes.push({ service, projection, status: 'no_active_instance', standbyOn });
      } else return null;
    }
    return outcomes;
  }

  private progressOf(projection: string): ProjectionProgress {
    let progress = this.progress.get(projection);
    if (!progress) {
      progress = { tables: [], standbyOn: [], rebuildingOn: null, outcome: null };
      this.progress.set(projection, progress);
    }
    return progress;
  }
}

interface RebuildOptions {
  services: readonly string[];
  projection: string | null;
  answerTimeoutMs: number;
  rebuildTimeoutMs: number;
}

/** Sends the requests and resolves with every outcome once all are known or past their bounds. */
function rebuild(
  connection: NatsConnection,
  { services, projection, answerTimeoutMs, rebuildTimeoutMs }: RebuildOptions,
): Promise<ProjectionOutcome[]> {
  const rebuilds = services.map((service) => new ServiceRebuild(service, projection));
  const request: RebuildReadModelsRequest = projection ? { projections: [projection] } : {};
  return new Promise((resolve) => {
    const deadlines = { answersDue: false, rebuildsDue: false };
    const timers = [
      setTimeout(() => ((deadlines.answersDue = true), settle()), answerTimeoutMs),
      setTimeout(() => ((deadlines.rebuildsDue = true), settle()), rebuildTimeoutMs),
    ];
    const subscriptions = rebuilds.map((serviceRebuild) => {
      const inbox = createInbox();
      const subscription = connection.subscribe(inbox, {
        callback: (error, message) => {
          if (!error) serviceRebuild.receive(message);
          settle();
        },
      });
      connection.publish(
        OPERATIONS_SUBJECTS.rebuildReadModels(serviceRebuild.service),
        JSON.stringify(request),
        { reply: inbox },
      );
      return subscription;
    });
    function settle(): void {
      const outcomes = rebuilds.map((serviceRebuild) => serviceRebuild.outcomes(deadlines));
      if (outcomes.some((outcome) => outcome === null)) return;
      for (const timer of timers) clearTimeout(timer);
      for (const subscription of subscriptions) subscription.unsubscribe();
      resolve(outcomes.flatMap((outcome) => outcome!));
    }
  });
}

function describe(outcome: ProjectionOutcome): string {
  const instance = ({ instanceId, host, pid }: Instance) => `${instanceId} (${host}, pid ${pid})`;
  switch (outcome.status) {
    case 'rebuilt':
      return (
        `rebuilt by ${instance(outcome.instance)}: ${outcome.eventsReplayed} events replayed in ` +
        `${outcome.durationMs} ms, checkpoint ${outcome.checkpoint ?? 'none (no events)'}` +
        (outcome.standbyOn.length
          ? `; standby on ${outcome.standbyOn.map(instance).join(', ')}`
          : '')
      );
    case 'failed':
      return `FAILED on ${instance(outcome.instance)}: ${outcome.reason}`;
    case 'no_active_instance':
      return outcome.standbyOn.length
        ? `NOT REBUILT: no active instance (standby on ${outcome.standbyOn.map(instance).join(', ')})`
        : 'NOT REBUILT: no active instance';
    case 'timed_out':
      return `NOT CONFIRMED: ${instance(outcome.instance)} did not report within REBUILD_TIMEOUT_MS`;
    case 'unknown_projection':
      return `NOT FOUND: the service runs ${outcome.known.join(', ') || 'no projection'}`;
    case 'no_instance_answered':
      return 'NOT REBUILT: no instance answered';
  }
}

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new UsageError(`${name} must be a positive integer`);
  return value;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): {
  services: readonly string[];
  projection: string | null;
  json: boolean;
} {
  const json = argv.includes('--json');
  const [target, projection = null, ...rest] = argv.filter((argument) => argument !== '--json');
  if (!target || rest.length || target.startsWith('-')) throw new UsageError(USAGE);
  if (target === 'all') {
    if (projection) throw new UsageError(`${USAGE}\nName a service to rebuild one projection.`);
    return { services: READ_MODEL_SERVICES, projection, json };
  }
  if (!SERVICE_NAME.test(target)) throw new UsageError(`${USAGE}\nNo service named ${target}.`);
  return { services: [target], projection, json };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const { services, projection, json } = parseArguments(process.argv.slice(2));
  const options = {
    services,
    projection,
    answerTimeoutMs: positiveInteger('ANSWER_TIMEOUT_MS', 5000),
    rebuildTimeoutMs: positiveInteger('REBUILD_TIMEOUT_MS', 600_000),
  };
  const connection = await connect({
    servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    name: 'read-models-rebuild',
  });
  const startedAt = performance.now();
  const outcomes = await rebuild(connection, options).finally(() => connection.close());
  const ok = outcomes.every((outcome) => outcome.status === 'rebuilt');
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok, outcomes }, null, 2)}\n`);
  } else {
    for (const outcome of outcomes) {
      process.stdout.write(`${outcome.service} ${outcome.projection}: ${describe(outcome)}\n`);
    }
    process.stdout.write(
      `${ok ? 'Done' : 'Incomplete'} in ${Math.round(performance.now() - startedAt)} ms\n`,
    );
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
