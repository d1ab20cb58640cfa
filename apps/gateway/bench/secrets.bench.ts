/**
 * The secrets vault under load, each figure beside a floor measured in the same run:
 *
 * - `secrets-vault.v1.resolveSecret` over NATS, as a registered resolver (SECRETS_RESOLVERS, the
 *   way apps/gateway/test/support/stack.ts registers its test resolver), against a bare NATS
 *   request/reply to a trivial responder (floor-server.ts), the vault's own `health` subject (the
 *   service framework's floor) and membership's `getAccess` (the call each resolution makes).
 * - `POST /v1/secrets/{name}/reveal` through the gateway with an API key, against
 *   `GET /v1/auth/status` on the same gateway (its authentication floor) and a bare Fastify
 *   server.
 * - `POST /v1/secrets` (a rotation: the gateway seals the value to the vault's transport key),
 *   against `POST /v1/api-keys` (another event-sourced write through the gateway, same key).
 * - Last, a reveal and a resolution of a secret that the write phase rotated thousands of times:
 *   reads fold the secret's whole stream.
 *
 *   npm run bench:secrets     # npm run build, then this; about 8 minutes with the defaults
 *   node -r @swc-node/register apps/gateway/bench/secrets.bench.ts   # with dist/ already built
 *
 * identity, membership, keys and the gateway run compiled, each a process of its own, on a
 * private nats-server and fresh schemas of the bench database (ServiceStack); the vault is started
 * beside them the same way (compiled, its own read-model and key-store schemas, dropped at the
 * end), sharing their event store as under `npm start`. Closed loop only: N HTTP connections, or N
 * NATS requests outstanding, each sending its next request when its last is answered
 * (load-generator.ts). Every configuration runs BENCH_REPETITIONS times, targets in a rotated
 * order; tables show medians. Any other answer than the expected status (a reply, for NATS) is an
 * error and makes the command exit non-zero. CPU per process from /proc (cpu-usage.ts);
 * committed PostgreSQL transactions per request from pg_stat_database (over the whole run,
 * warm-up included, so that the statistics' one-second flush does not blur the window). Figures
 * go to apps/secrets-vault/bench/results/secrets.json.
 *
 * | variable                   | default           | what                                      |
 * | -------------------------- | ----------------- | ----------------------------------------- |
 * | `BENCH_CONCURRENCY`        | 1,8               | requests in flight                        |
 * | `BENCH_DURATION_MS`        | 5000              | measured time of each run                 |
 * | `BENCH_WARM_UP_MS`         | 1000              | before each run, not counted              |
 * | `BENCH_INITIAL_WARM_UP_MS` | 10000             | once, every target, before the first run  |
 * | `BENCH_REPETITIONS`        | 3                 | runs of each configuration                |
 * | `RATE_LIMIT_PER_MINUTE`    | 1000000 (gateway) | the default 600 would refuse the bench    |
 * | `BENCH_DATABASE_URL`       | @orgplane/testing | the database, as for the other benches    |
 */
import { createInbox, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  MEMBERSHIP_SUBJECTS,
  SECRETS_VAULT_SUBJECTS,
  type ResolvedSecretView,
} from '@orgplane/contracts';
import {
  createLogger,
  SERVICE_LISTENING_MESSAGE,
  ServiceClient,
  type RequestContext,
} from '@orgplane/messaging';
import {
  dropSchema,
  formatTable,
  loadAverage1m,
  startServiceProcess,
  summariseLatencies,
  uniqueSchemaName,
  writeBenchResults,
  type LatencySummary,
  type ServiceProcess,
  environmentOf,
  findProcesses,
  startCpuMeasurement,
  type CpuUsage,
  type ProcessGroup,
  closedLoop,
  type Send,
  benchDatabaseUrl,
  positiveInteger,
  positiveIntegers,
} from '@orgplane/testing';
import { newRequestId } from '@orgplane/util';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { HttpConnection } from './load-generator';
import { startFloorServer } from './floor-process';
import { ServiceStack } from './service-stack';

const RESULTS_FILE = path.resolve(__dirname, '../../secrets-vault/bench/results/secrets.json');
const FLOOR_SUBJECT = 'bench.floor.echo';
const AUTH_STATUS = '/v1/auth/status';
/** The registered resolver, as the e2e Stack registers its own: `<service>:<usage>:<sha256>`. */
const RESOLVER = { service: 'bench-runner', usage: 'tools' as const };
/** The secret reads go to: one version, never rotated. */
const READ_SECRET = 'BENCH_READ';
/** Rotated by the write phase, one per connection so that writers never race on one stream. */
const rotatedSecret = (index: number) => `BENCH_ROTATE_${index + 1}`;

const config = {
  databaseUrl: benchDatabaseUrl(),
  concurrency: positiveIntegers('BENCH_CONCURRENCY', [1, 8]),
  initialWarmUpMs: positiveInteger('BENCH_INITIAL_WARM_UP_MS', 10_000),
  warmUpMs: positiveInteger('BENCH_WARM_UP_MS', 1000),
  durationMs: positiveInteger('BENCH_DURATION_MS', 5000),
  repetitions: positiveInteger('BENCH_REPETITIONS', 3),
  rateLimitPerMinute: Number((process.env.RATE_LIMIT_PER_MINUTE ??= '1000000')),
};

type TargetName =
  | 'NATS request (muxed inbox)'
  | 'NATS request (inbox per request)'
  | 'vault health'
  | 'membership getAccess'
  | 'vault resolveSecret'
  | 'bare Fastify'
  | 'gateway GET /v1/auth/status'
  | 'gateway reveal'
  | 'gateway rotate (POST /v1/secrets)'
  | 'gateway POST /v1/api-keys'
  | 'vault resolveSecret, long history'
  | 'gateway reveal, long history';

const READ_TARGETS: TargetName[] = [
  'NATS request (muxed inbox)',
  'NATS request (inbox per request)',
  'vault health',
  'membership getAccess',
  'vault resolveSecret',
  'bare Fastify',
  'gateway GET /v1/auth/status',
  'gateway reveal',
];
const WRITE_TARGETS: TargetName[] = [
  'gateway rotate (POST /v1/secrets)',
  'gateway POST /v1/api-keys',
];
const HISTORY_TARGETS: TargetName[] = [
  'vault resolveSecret, long history',
  'gateway reveal, long history',
];
const ALL_TARGETS = [...READ_TARGETS, ...WRITE_TARGETS, ...HISTORY_TARGETS];

interface Measurement {
  target: TargetName;
  level: number;
  repetition: number;
  rate: number;
  latency: LatencySummary;
  errors: number;
  cpu: CpuUsage;
  /** committed transactions of the bench database per request, warm-up included */
  transactionsPerRequest: number;
  loadAverage1m: number;
}

interface Summary {
  target: TargetName;
  level: number;
  rate: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  transactionsPerRequest: number;
  /** cores, medians over the repetitions */
  cpu: Record<string, number> & { machine: number; other: number };
}

interface Principal {
  userId: string;
  organizationId: string;
  apiKey: string;
  sessionToken: string;
}

interface Harness {
  stack: ServiceStack;
  vault: ServiceProcess;
  principal: Principal;
  gatewayPort: number;
  floorPort: number;
  nats: NatsConnection;
  services: ServiceClient;
  resolverCredential: string;
  groups: ProcessGroup[];
  database: Client;
  databaseName: string;
}

// --- set-up ------------------------------------------------------------------------------------

async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  route: string,
  headers: Record<string, string>,
  json?: unknown,
): Promise<{ status: number; text: string; data: Record<string, unknown> | undefined }> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { ...headers, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  return { status: response.status, text, data: text ? JSON.parse(text).data : undefined };
}

async function expectCall(
  expected: number,
  ...args: Parameters<typeof call>
): Promise<Record<string, unknown>> {
  const answer = await call(...args);
  if (answer.status !== expected) {
    throw new Error(`${args[1]} ${args[2]} answered ${answer.status}: ${answer.text}`);
  }
  return answer.data ?? {};
}

/** Nest logs "successfully started" before the server listens: wait for it to answer. */
async function waitUntilListening(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(`${baseUrl}/v1/openapi.json`);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A user with an organization, an API key with every scope, and the secrets the bench uses. */
async function setUp(baseUrl: string, rotatedSecrets: number): Promise<Principal> {
  await waitUntilListening(baseUrl);
  const signedIn = await expectCall(
    200,
    baseUrl,
    'POST',
    '/v1/auth/dev/sign-in',
    {},
    {
      email: `bench-secrets-${Date.now()}@example.com`,
    },
  );
  const bearer = { authorization: `Bearer ${String(signedIn.accessToken)}` };
  const me = await expectCall(200, baseUrl, 'GET', '/v1/me', bearer);
  const organization = await expectCall(201, baseUrl, 'POST', '/v1/organizations', bearer, {
    name: 'Bench Secrets Co',
  });
  const created = await expectCall(201, baseUrl, 'POST', '/v1/api-keys', bearer, {
    name: 'bench',
    scopes: ['*'],
  });
  const apiKey = String(created.key);
  const withKey = { 'x-api-key': apiKey };
  for (const name of [
    READ_SECRET,
    ...Array.from({ length: rotatedSecrets }, (_, index) => rotatedSecret(index)),
  ]) {
    await expectCall(200, baseUrl, 'POST', '/v1/secrets', withKey, {
      name,
      value: `bench-${randomBytes(16).toString('hex')}`,
    });
  }
  return {
    userId: String(me.id),
    organizationId: String(organization.id),
    apiKey,
    sessionToken: String(signedIn.accessToken),
  };
}

/** The vault as the other services run (compiled), with a resolver registered for the bench. */
async function startVault(
  natsUrl: string,
  eventStoreSchema: string,
  resolverToken: string,
): Promise<{ vault: ServiceProcess; schemas: string[] }> {
  const readModelSchema = uniqueSchemaName('httpbench_vault');
  const keyStoreSchema = uniqueSchemaName('httpbench_vault_keys');
  const tokenSha256 = createHash('sha256').update(resolverToken).digest('hex');
  const vault = await startServiceProcess(
    'secrets-vault',
    {
      NATS_URL: natsUrl,
      LOG_LEVEL: 'info',
      DATABASE_URL: config.databaseUrl,
      EVENTSTORE_SCHEMA: eventStoreSchema,
      READ_MODEL_SCHEMA: readModelSchema,
      KEY_STORE_SCHEMA: keyStoreSchema,
      SECRETS_MASTER_KEY: randomBytes(32).toString('base64'),
      SECRETS_RESOLVERS: `${RESOLVER.service}:${RESOLVER.usage}:${tokenSha256}`,
    },
    { compiled: true, isReady: (line) => line.msg === SERVICE_LISTENING_MESSAGE },
  );
  return { vault, schemas: [readModelSchema, keyStoreSchema] };
}

// --- senders -----------------------------------------------------------------------------------

/**
 * A keep-alive connection of the load generator sending `method path` with a JSON body:
 * HttpConnection builds a bodiless GET, so its prebuilt request bytes are replaced here.
 */
function connectionFor(
  port: number,
  method: 'GET' | 'POST',
  route: string,
  headers: Record<string, string>,
  json?: unknown,
): HttpConnection {
  const connection = new HttpConnection({ port, path: route, headers });
  if (method === 'POST') {
    const body = Buffer.from(JSON.stringify(json ?? {}), 'utf8');
    const head = Object.entries({
      host: `127.0.0.1:${port}`,
      ...headers,
      'content-type': 'application/json',
      'content-length': String(body.length),
    })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    Object.assign(connection, {
      request: Buffer.concat([
        Buffer.from(`POST ${route} HTTP/1.1\r\n${head}\r\n`, 'latin1'),
        body,
      ]),
    });
  }
  return connection;
}

function contextFor(principal: Principal | null): RequestContext {
  const requestId = newRequestId();
  return {
    requestId,
    correlationId: requestId,
    causationId: requestId,
    ...(principal
      ? {
          caller: {
            type: 'user' as const,
            userId: principal.userId,
            organizationId: principal.organizationId,
            role: 'admin' as const,
          },
        }
      : {}),
  };
}

async function sendersFor(
  harness: Harness,
  target: TargetName,
  level: number,
): Promise<{ senders: Send[]; close(): void }> {
  const { principal, gatewayPort } = harness;
  const key = { 'x-api-key': principal.apiKey };
  const http = (make: (index: number) => HttpConnection, status: number) => {
    const connections = Array.from({ length: level }, (_, index) => make(index));
    return Promise.all(connections.map((connection) => connection.open())).then(() => ({
      senders: connections.map((connection) => async () => (await connection.send()) === status),
      close: () => connections.forEach((connection) => connection.close()),
    }));
  };
  const reveal = (name: string) =>
    http(() => connectionFor(gatewayPort, 'POST', `/v1/secrets/${name}/reveal`, key, {}), 200);
  switch (target) {
    case 'bare Fastify':
      return http(() => connectionFor(harness.floorPort, 'GET', AUTH_STATUS, {}), 200);
    case 'gateway GET /v1/auth/status':
      return http(() => connectionFor(gatewayPort, 'GET', AUTH_STATUS, key), 200);
    case 'gateway reveal':
      return reveal(READ_SECRET);
    case 'gateway reveal, long history':
      return reveal(rotatedSecret(0));
    case 'gateway rotate (POST /v1/secrets)':
      return http(
        (index) =>
          connectionFor(gatewayPort, 'POST', '/v1/secrets', key, {
            name: rotatedSecret(index),
            value: `rotated-${randomBytes(16).toString('hex')}`,
          }),
        200,
      );
    case 'gateway POST /v1/api-keys':
      return http(
        () =>
          connectionFor(gatewayPort, 'POST', '/v1/api-keys', key, {
            name: 'bench-peer',
            scopes: ['secret:read'],
          }),
        201,
      );
    default: {
      const send = natsSender(harness, target);
      return { senders: Array<Send>(level).fill(send), close: () => undefined };
    }
  }
}

function natsSender(harness: Harness, target: TargetName): Send {
  const { nats, services, principal, resolverCredential } = harness;
  const payload = new TextEncoder().encode('{}');
  const resolve = (name: string): Send => {
    const request = {
      organizationId: principal.organizationId,
      userId: principal.userId,
      name,
      usage: RESOLVER.usage,
    };
    return async () => {
      try {
        const reply = await services.request<ResolvedSecretView>(
          SECRETS_VAULT_SUBJECTS.resolveSecret,
          request,
          contextFor(null),
          { serviceCredential: resolverCredential },
        );
        return reply.data.name === name && reply.data.value.length > 0;
      } catch {
        return false;
      }
    };
  };
  switch (target) {
    case 'NATS request (muxed inbox)':
      return async () => {
        try {
          await nats.request(FLOOR_SUBJECT, payload, { timeout: 5000 });
          return true;
        } catch {
          return false;
        }
      };
    case 'NATS request (inbox per request)':
      // what @nestjs/microservices' ClientNats (so ServiceClient) does per request
      return () =>
        new Promise<boolean>((done) => {
          const inbox = createInbox();
          const timer = setTimeout(() => {
            subscription.unsubscribe();
            done(false);
          }, 5000);
          const subscription = nats.subscribe(inbox, {
            callback: () => {
              clearTimeout(timer);
              subscription.unsubscribe();
              done(true);
            },
          });
          nats.publish(FLOOR_SUBJECT, payload, { reply: inbox });
        });
    case 'vault health':
      return async () => {
        try {
          await services.request(SECRETS_VAULT_SUBJECTS.health, {}, contextFor(null));
          return true;
        } catch {
          return false;
        }
      };
    case 'membership getAccess':
      // the question every resolution asks membership (Membership.isMember)
      return async () => {
        try {
          const reply = await services.request<{ memberships: { organizationId: string }[] }>(
            MEMBERSHIP_SUBJECTS.getAccess,
            { userId: principal.userId },
            contextFor(null),
          );
          return reply.data.memberships.some((m) => m.organizationId === principal.organizationId);
        } catch {
          return false;
        }
      };
    case 'vault resolveSecret':
      return resolve(READ_SECRET);
    case 'vault resolveSecret, long history':
      return resolve(rotatedSecret(0));
    default:
      throw new Error(`${target} is not a NATS target`);
  }
}

// --- measuring ---------------------------------------------------------------------------------

function forgetLogs(harness: Harness): void {
  for (const service of [...harness.stack.processes, harness.vault]) service.logs.length = 0;
}

async function committedTransactions(harness: Harness): Promise<number> {
  const { rows } = await harness.database.query<{ xact_commit: string }>(
    'SELECT xact_commit FROM pg_stat_database WHERE datname = $1',
    [harness.databaseName],
  );
  return Number(rows[0].xact_commit);
}

/** Counts every answered request, warm-up included (for transactions per request). */
function counted(senders: Send[]): { senders: Send[]; count(): number } {
  let sent = 0;
  return {
    senders: senders.map((send) => async () => {
      const ok = await send();
      sent += 1;
      return ok;
    }),
    count: () => sent,
  };
}

async function measure(
  harness: Harness,
  target: TargetName,
  level: number,
  repetition: number,
): Promise<Measurement> {
  const { senders, close } = await sendersFor(harness, target, level);
  const all = counted(senders);
  let cpu: { stop(): CpuUsage } | undefined;
  let usage: CpuUsage | undefined;
  try {
    const before = await committedTransactions(harness);
    const result = await closedLoop(all.senders, config.warmUpMs, config.durationMs, () => {
      cpu = startCpuMeasurement(harness.groups);
    });
    usage = cpu!.stop();
    // pg_stat_database takes up to a second to show a backend's commits
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const transactions = (await committedTransactions(harness)) - before;
    const measurement: Measurement = {
      target,
      level,
      repetition,
      rate: Math.round(result.rate),
      latency: summariseLatencies(result.latencies.length ? result.latencies : [Number.NaN]),
      errors: result.errors,
      cpu: usage,
      transactionsPerRequest: Math.round((transactions / Math.max(1, all.count())) * 100) / 100,
      loadAverage1m: loadAverage1m(),
    };
    console.error(
      `  ${target}, ${level} in flight, #${repetition + 1}: ${measurement.rate}/s, ` +
        `p50 ${measurement.latency.p50} ms, p99 ${measurement.latency.p99} ms, errors ` +
        `${result.errors}, ${measurement.transactionsPerRequest} xact/req, CPU ` +
        `${usage.machineBusyCores.toFixed(2)} cores (load ${measurement.loadAverage1m})`,
    );
    return measurement;
  } finally {
    close();
    forgetLogs(harness);
  }
}

async function warmUp(harness: Harness): Promise<void> {
  console.error(`Warming up for ${config.initialWarmUpMs / 1000} s...`);
  const opened = await Promise.all(ALL_TARGETS.map((target) => sendersFor(harness, target, 2)));
  try {
    const result = await closedLoop(
      opened.flatMap(({ senders }) => senders),
      0,
      config.initialWarmUpMs,
    );
    if (result.errors > 0) throw new Error(`${result.errors} requests failed during the warm-up`);
  } finally {
    opened.forEach(({ close }) => close());
    forgetLogs(harness);
  }
}

function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function summarise(measurements: readonly Measurement[]): Summary[] {
  const byKey = new Map<string, Measurement[]>();
  for (const measurement of measurements) {
    const key = `${measurement.target}|${measurement.level}`;
    byKey.set(key, [...(byKey.get(key) ?? []), measurement]);
  }
  return [...byKey.values()].map((runs) => {
    const of = (pick: (run: Measurement) => number) => median(runs.map(pick));
    const cpu: Summary['cpu'] = {
      machine: of((run) => run.cpu.machineBusyCores),
      other: of((run) => run.cpu.otherCores),
    };
    for (const group of Object.keys(runs[0].cpu.cores))
      cpu[group] = of((run) => run.cpu.cores[group]);
    return {
      target: runs[0].target,
      level: runs[0].level,
      rate: Math.round(of((run) => run.rate)),
      p50: of((run) => run.latency.p50),
      p99: of((run) => run.latency.p99),
      max: of((run) => run.latency.max),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      transactionsPerRequest: of((run) => run.transactionsPerRequest),
      cpu,
    };
  });
}

/** How many versions the secret's stream holds now: what a read of it folds. */
async function streamLength(harness: Harness, name: string): Promise<number> {
  const reply = await harness.services.request<{ version: number }>(
    SECRETS_VAULT_SUBJECTS.getSecret,
    { name },
    contextFor(harness.principal),
  );
  return reply.data.version;
}

async function main() {
  const startedAt = new Date();
  const loadBefore = loadAverage1m();
  const rotatedSecrets = Math.max(...config.concurrency);
  console.error('Starting identity, membership, keys and the gateway, then the vault...');
  const stack = await ServiceStack.start(config.databaseUrl, [
    'identity',
    'membership',
    'keys',
    'gateway',
  ]);
  const measurements: Measurement[] = [];
  const vaultSchemas: string[] = [];
  let vault: ServiceProcess | undefined;
  let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  let nats: NatsConnection | undefined;
  let services: ServiceClient | undefined;
  let database: Client | undefined;
  let versions = 0;
  try {
    const gateway = stack.processes.find((process) => process.service === 'gateway')!;
    const membership = stack.processes.find((process) => process.service === 'membership')!;
    // ServiceStack keeps these to itself; the services' environment names them
    const natsUrl = environmentOf(gateway.pid, 'NATS_URL')!;
    const eventStoreSchema = environmentOf(membership.pid, 'EVENTSTORE_SCHEMA')!;
    const resolverToken = randomBytes(24).toString('base64url');
    const started = await startVault(natsUrl, eventStoreSchema, resolverToken);
    vault = started.vault;
    vaultSchemas.push(...started.schemas);

    const principal = await setUp(stack.gatewayUrl, rotatedSecrets);
    const status = await call(stack.gatewayUrl, 'GET', AUTH_STATUS, {
      'x-api-key': principal.apiKey,
    });
    floor = await startFloorServer(natsUrl, AUTH_STATUS, status.text);
    const client = await connect({ servers: natsUrl, name: 'bench-client' });
    nats = client;
    const serviceClient = new ServiceClient({
      natsUrl,
      defaultTimeoutMs: 5000,
      name: 'bench',
      logger: createLogger('bench', 'warn'),
    });
    services = serviceClient;
    await serviceClient.onModuleInit();
    database = new Client({ connectionString: config.databaseUrl });
    await database.connect();

    const natsPort = new URL(natsUrl).port;
    const databaseName = new URL(config.databaseUrl).pathname.slice(1);
    const pidOf = (service: string) =>
      stack.processes.filter((process) => process.service === service).map(({ pid }) => pid);
    const vaultPid = vault.pid;
    const floorPid = floor.pid;
    const harness: Harness = {
      stack,
      vault,
      principal,
      gatewayPort: Number(new URL(stack.gatewayUrl).port),
      floorPort: floor.port,
      nats: client,
      services: serviceClient,
      resolverCredential: `${RESOLVER.service}:${resolverToken}`,
      database,
      databaseName,
      groups: [
        { name: 'bench client', pids: () => [process.pid] },
        { name: 'gateway', pids: () => pidOf('gateway') },
        { name: 'secrets-vault', pids: () => [vaultPid] },
        { name: 'membership', pids: () => pidOf('membership') },
        { name: 'keys+identity', pids: () => [...pidOf('keys'), ...pidOf('identity')] },
        { name: 'nats-server', pids: () => findProcesses(['nats-server', `-p ${natsPort}`]) },
        { name: 'postgres', pids: () => findProcesses(['postgres:', ` ${databaseName} `]) },
        { name: 'floor server', pids: () => [floorPid] },
      ],
    };

    await warmUp(harness);
    const rotated = (list: TargetName[], repetition: number) =>
      list.map((_, index) => list[(index + repetition) % list.length]);
    for (let repetition = 0; repetition < config.repetitions; repetition += 1) {
      console.error(`Repetition ${repetition + 1} of ${config.repetitions}`);
      for (const level of config.concurrency) {
        for (const target of [
          ...rotated(READ_TARGETS, repetition),
          ...rotated(WRITE_TARGETS, repetition),
        ]) {
          measurements.push(await measure(harness, target, level, repetition));
        }
      }
    }
    versions = await streamLength(harness, rotatedSecret(0));
    console.error(
      `${rotatedSecret(0)} is at version ${versions}: reads of it fold that many events`,
    );
    for (let repetition = 0; repetition < config.repetitions; repetition += 1) {
      for (const level of config.concurrency) {
        for (const target of rotated(HISTORY_TARGETS, repetition)) {
          measurements.push(await measure(harness, target, level, repetition));
        }
      }
    }
  } finally {
    await services?.onApplicationShutdown();
    await nats?.drain();
    await database?.end();
    await floor?.stop();
    await vault?.stop();
    await stack.stop();
    for (const schema of vaultSchemas) await dropSchema(config.databaseUrl, schema);
  }

  const summaries = summarise(measurements);
  report(summaries, versions);
  const loadAfter = loadAverage1m();
  console.log(`\nLoad average (1 min): ${loadBefore} before, ${loadAfter} after`);
  await writeBenchResults(RESULTS_FILE, startedAt, {
    config: { ...config, concurrency: config.concurrency.join(', ') },
    loadAverage1m: { before: loadBefore, after: loadAfter },
    longHistoryVersions: versions,
    summaries,
    measurements,
  });
  if (summaries.some((summary) => summary.errors > 0)) process.exitCode = 1;
}

function report(summaries: Summary[], versions: number): void {
  const ms = (value: number) => value.toFixed(2);
  const find = (target: TargetName, level: number) =>
    summaries.find((summary) => summary.target === target && summary.level === level);
  const sorted = [...summaries].sort(
    (a, b) => ALL_TARGETS.indexOf(a.target) - ALL_TARGETS.indexOf(b.target) || a.level - b.level,
  );
  console.log(
    `\nClosed loop, medians of ${config.repetitions} runs of ${config.durationMs / 1000} s after ` +
      `${config.warmUpMs / 1000} s (long history: ${versions} versions)\n`,
  );
  console.log(
    formatTable(
      [
        'target',
        'in flight',
        'req/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'errors',
        'xact/req',
        'CPU busy',
      ],
      sorted.map((summary) => [
        summary.target,
        String(summary.level),
        summary.rate.toLocaleString('en-US'),
        ms(summary.p50),
        ms(summary.p99),
        ms(summary.max),
        String(summary.errors),
        summary.transactionsPerRequest.toFixed(2),
        summary.cpu.machine.toFixed(2),
      ]),
    ),
  );

  const ratios: [string, TargetName, TargetName][] = [
    [
      'resolve / NATS floor (inbox per request)',
      'vault resolveSecret',
      'NATS request (inbox per request)',
    ],
    ['resolve / vault health', 'vault resolveSecret', 'vault health'],
    ['resolve / membership getAccess', 'vault resolveSecret', 'membership getAccess'],
    ['reveal / GET /v1/auth/status', 'gateway reveal', 'gateway GET /v1/auth/status'],
    ['reveal / resolve', 'gateway reveal', 'vault resolveSecret'],
    ['rotate / API-key create', 'gateway rotate (POST /v1/secrets)', 'gateway POST /v1/api-keys'],
    ['resolve, long history / resolve', 'vault resolveSecret, long history', 'vault resolveSecret'],
    ['reveal, long history / reveal', 'gateway reveal, long history', 'gateway reveal'],
  ];
  console.log('\nRatios (same run): req/s, p50, p99\n');
  console.log(
    formatTable(
      ['pair', 'in flight', 'req/s', 'p50', 'p99'],
      ratios.flatMap(([label, a, b]) =>
        config.concurrency.map((level) => {
          const x = find(a, level);
          const y = find(b, level);
          if (!x || !y) return [label, String(level), '-', '-', '-'];
          return [
            label,
            String(level),
            (x.rate / y.rate).toFixed(3),
            (x.p50 / y.p50).toFixed(1),
            (x.p99 / y.p99).toFixed(1),
          ];
        }),
      ),
    ),
  );

  const top = Math.max(...config.concurrency);
  const groups = Object.keys(sorted[0].cpu);
  console.log(`\nCPU per request at ${top} in flight, µs (cores busy × 10⁶ / req/s)\n`);
  console.log(
    formatTable(
      ['target', 'req/s', ...groups],
      sorted
        .filter((summary) => summary.level === top)
        .map((summary) => [
          summary.target,
          summary.rate.toLocaleString('en-US'),
          ...groups.map((group) => String(Math.round((summary.cpu[group] * 1e6) / summary.rate))),
        ]),
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
