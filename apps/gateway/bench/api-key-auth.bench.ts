/**
 * Authenticated requests through the gateway: `GET /v1/organizations/current` (one membership
 * read-model lookup) with an API key (`X-API-Key`) against the same with a session token
 * (`Authorization: Bearer`), both caches hot, next to the floors of the same path: a bare Fastify
 * server answering the same bytes, raw NATS request/reply (a muxed inbox, and an inbox per request
 * as @nestjs/microservices' ClientNats does), and the membership service called over NATS
 * directly with the gateway's ServiceClient. Target (issue 4): with a known key, p99 <= 2 ms and
 * >= 5,000 requests/s on this 2-core machine with everything on it.
 *
 *   npm run bench:auth        # npm run build, then this; about 25 minutes with the defaults
 *   node -r @swc-node/register apps/gateway/bench/api-key-auth.bench.ts
 *
 * identity, membership, keys and the gateway run compiled, each a process of its own, on a
 * private nats-server and fresh schemas of the bench database (ServiceStack); the floors run in
 * a process of their own (floor-server.ts); the load generator (load-generator.ts) is this
 * process. Every configuration runs BENCH_REPETITIONS times, targets in a rotated order, and the
 * tables show medians. Closed loop: N connections (or N NATS requests outstanding), each sending
 * its next request when the last is answered. Open loop: requests due at a fixed rate, latency
 * counted from when each was due. Any answer but a 200 (a reply, for NATS) is an error; the
 * command exits non-zero if there was one. CPU use comes from /proc (cpu-usage.ts), per process
 * and for the machine. Figures go to results/api-key-auth.json.
 *
 * | variable                      | default            | what                                     |
 * | ----------------------------- | ------------------ | ---------------------------------------- |
 * | `BENCH_CONCURRENCY`           | 1,8,32,64          | closed loop: requests in flight          |
 * | `BENCH_RATES`                 | 500,5000           | open loop: requests per second offered   |
 * | `BENCH_DURATION_MS`           | 10000              | measured time of each run                |
 * | `BENCH_WARM_UP_MS`            | 2000               | before each run, not counted             |
 * | `BENCH_INITIAL_WARM_UP_MS`    | 15000              | once, both credentials, 64 connections   |
 * | `BENCH_REPETITIONS`           | 3                  | runs of each configuration               |
 * | `BENCH_OPEN_LOOP_CONNECTIONS` | 64                 | open loop: connections (or NATS slots)   |
 * | `RATE_LIMIT_PER_MINUTE`       | 1000000 (gateway)  | the default 600 would refuse the bench   |
 * | `BENCH_DATABASE_URL`          | @orgplane/testing  | the database, as for the other benches   |
 */
import { createInbox, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { MEMBERSHIP_SUBJECTS, type Caller } from '@orgplane/contracts';
import { createLogger, ServiceClient, type RequestContext } from '@orgplane/messaging';
import {
  formatTable,
  loadAverage1m,
  summariseLatencies,
  writeBenchResults,
  type LatencySummary,
  environmentOf,
  findProcesses,
  startCpuMeasurement,
  type CpuUsage,
  type ProcessGroup,
  closedLoop,
  openLoop,
  type RunResult,
  type Send,
  benchDatabaseUrl,
  positiveInteger,
  positiveIntegers,
} from '@orgplane/testing';
import { newRequestId, systemClock } from '@orgplane/util';
import path from 'node:path';
import { SessionTokenVerifier } from '../src/auth/session-token.verifier';
import { ApiKeyCache, lookupOverNats } from '../src/authorization/api-key-cache';
import { httpSenders, openConnections, type HttpTarget } from './load-generator';
import { startFloorServer } from './floor-process';
import { ServiceStack } from './service-stack';

/**
 * `BENCH_ENDPOINT=/v1/auth/status` measures the gateway's own work alone (authentication, rate
 * limit, envelope): that route asks no service.
 */
const ENDPOINT = process.env.BENCH_ENDPOINT ?? '/v1/organizations/current';
const RESULTS_FILE = path.join(
  __dirname,
  'results',
  ENDPOINT === '/v1/organizations/current'
    ? 'api-key-auth.json'
    : `api-key-auth${ENDPOINT.replace(/[^a-z]+/g, '-')}.json`,
);
const FLOOR_SUBJECT = 'bench.floor.echo';
const TARGET = { p99Ms: 2, rate: 5000 };

const config = {
  databaseUrl: benchDatabaseUrl(),
  concurrency: positiveIntegers('BENCH_CONCURRENCY', [1, 8, 32, 64]),
  /** once, before the first run: the services' code is compiled by V8 only after a few seconds */
  initialWarmUpMs: positiveInteger('BENCH_INITIAL_WARM_UP_MS', 15_000),
  warmUpMs: positiveInteger('BENCH_WARM_UP_MS', 2000),
  durationMs: positiveInteger('BENCH_DURATION_MS', 10_000),
  repetitions: positiveInteger('BENCH_REPETITIONS', 3),
  rates: positiveIntegers('BENCH_RATES', [500, 5000]),
  openLoopConnections: positiveInteger('BENCH_OPEN_LOOP_CONNECTIONS', 64),
  /** per user and per key, per gateway instance: the default (600) would refuse the bench */
  rateLimitPerMinute: Number((process.env.RATE_LIMIT_PER_MINUTE ??= '1000000')),
};

type TargetName =
  | 'bare Fastify'
  | 'NATS request (muxed inbox)'
  | 'NATS request (inbox per request)'
  | 'membership over NATS'
  | 'gateway, API key'
  | 'gateway, session token';

/** What each closed-loop target is, in the order the tables show them. */
const CLOSED_LOOP_TARGETS: TargetName[] = [
  'bare Fastify',
  'NATS request (muxed inbox)',
  'NATS request (inbox per request)',
  'membership over NATS',
  'gateway, API key',
  'gateway, session token',
];
const OPEN_LOOP_TARGETS: TargetName[] = [
  'bare Fastify',
  'NATS request (inbox per request)',
  'membership over NATS',
  'gateway, API key',
  'gateway, session token',
];

interface Measurement {
  target: TargetName;
  mode: 'closed' | 'open';
  /** connections (closed loop, HTTP), requests in flight (closed loop, NATS), or rate (open) */
  level: number;
  repetition: number;
  rate: number;
  latency: LatencySummary;
  /** open loop: from when each request was really sent */
  serviceLatency?: LatencySummary;
  errors: number;
  unsent?: number;
  cpu: CpuUsage;
  loadAverage1m: number;
}

interface Summary {
  target: TargetName;
  mode: 'closed' | 'open';
  level: number;
  /** medians over the repetitions */
  rate: number;
  p50: number;
  p99: number;
  max: number;
  serviceP50?: number;
  serviceP99?: number;
  /** summed over the repetitions: must be 0 */
  errors: number;
  unsent?: number;
  /** medians over the repetitions, cores */
  cpu: Record<string, number> & { machine: number; other: number };
}

/** A signed-in user with an organization, an API key in it, and the answers to check against. */
interface Principal {
  email: string;
  userId: string;
  organizationId: string;
  apiKey: string;
  sessionToken: string;
  body: string;
}

async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  route: string,
  headers: Record<string, string>,
  json?: unknown,
): Promise<{ status: number; text: string; body: { data?: Record<string, unknown> } | null }> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { ...headers, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}

async function signIn(baseUrl: string, email: string): Promise<string> {
  const answer = await call(baseUrl, 'POST', '/v1/auth/dev/sign-in', {}, { email });
  const token = answer.body?.data?.accessToken;
  if (answer.status !== 200 || typeof token !== 'string') {
    throw new Error(`sign-in answered ${answer.status}: ${answer.text}`);
  }
  return token;
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

async function setUp(baseUrl: string): Promise<Principal> {
  await waitUntilListening(baseUrl);
  const email = `bench-auth-${Date.now()}@example.com`;
  const sessionToken = await signIn(baseUrl, email);
  const bearer = { authorization: `Bearer ${sessionToken}` };
  const me = await call(baseUrl, 'GET', '/v1/me', bearer);
  const organization = await call(baseUrl, 'POST', '/v1/organizations', bearer, {
    name: 'Bench Co',
  });
  if (organization.status !== 201) {
    throw new Error(`creating the organization answered ${organization.status}`);
  }
  const created = await call(baseUrl, 'POST', '/v1/api-keys', bearer, {
    name: 'bench',
    scopes: ['*'],
  });
  const apiKey = created.body?.data?.key;
  if (created.status !== 201 || typeof apiKey !== 'string') {
    throw new Error(`creating the API key answered ${created.status}: ${created.text}`);
  }
  const organizationId = String(organization.body?.data?.id);
  // both credentials must reach the same organization with a 200
  const withKey = await call(baseUrl, 'GET', ENDPOINT, { 'x-api-key': apiKey });
  const withSession = await call(baseUrl, 'GET', ENDPOINT, bearer);
  for (const [credential, answer] of [
    ['API key', withKey],
    ['session token', withSession],
  ] as const) {
    const answeredFor = answer.body?.data?.organizationId ?? answer.body?.data?.id;
    if (answer.status !== 200 || answeredFor !== organizationId) {
      throw new Error(
        `${ENDPOINT} with the ${credential} answered ${answer.status}: ${answer.text}`,
      );
    }
  }
  return {
    email,
    userId: String(me.body?.data?.id),
    organizationId,
    apiKey,
    sessionToken,
    body: withKey.text,
  };
}

interface Harness {
  stack: ServiceStack;
  principal: Principal;
  gatewayPort: number;
  floorPort: number;
  nats: NatsConnection;
  services: ServiceClient;
  groups: ProcessGroup[];
}

function gatewayTarget(harness: Harness, credential: 'apiKey' | 'session'): HttpTarget {
  return {
    port: harness.gatewayPort,
    path: ENDPOINT,
    headers:
      credential === 'apiKey'
        ? { 'x-api-key': harness.principal.apiKey }
        : { authorization: `Bearer ${harness.principal.sessionToken}` },
  };
}

function httpTargetOf(harness: Harness, target: TargetName): HttpTarget | undefined {
  if (target === 'bare Fastify') return { port: harness.floorPort, path: ENDPOINT, headers: {} };
  if (target === 'gateway, API key') return gatewayTarget(harness, 'apiKey');
  if (target === 'gateway, session token') return gatewayTarget(harness, 'session');
  return undefined;
}

/** The senders of a closed-loop run at `level` requests in flight, and how to let them go. */
async function sendersFor(
  harness: Harness,
  target: TargetName,
  level: number,
): Promise<{ senders: Send[]; close(): void }> {
  const http = httpTargetOf(harness, target);
  if (http) {
    const connections = await openConnections(http, level);
    return {
      senders: httpSenders(connections),
      close: () => connections.forEach((connection) => connection.close()),
    };
  }
  const send = natsSender(harness, target);
  return { senders: Array<Send>(level).fill(send), close: () => undefined };
}

function natsSender(harness: Harness, target: TargetName): Send {
  const { nats, services, principal } = harness;
  const payload = new TextEncoder().encode('{}');
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
      // what @nestjs/microservices' ClientNats does for every request: SUB a fresh inbox,
      // PUB with it as the reply subject, UNSUB once answered
      return () =>
        new Promise<boolean>((resolve) => {
          const inbox = createInbox();
          const timer = setTimeout(() => {
            subscription.unsubscribe();
            resolve(false);
          }, 5000);
          const subscription = nats.subscribe(inbox, {
            callback: () => {
              clearTimeout(timer);
              subscription.unsubscribe();
              resolve(true);
            },
          });
          nats.publish(FLOOR_SUBJECT, payload, { reply: inbox });
        });
    case 'membership over NATS': {
      const caller: Caller = {
        type: 'user',
        userId: principal.userId,
        organizationId: principal.organizationId,
        role: 'admin',
      };
      return async () => {
        const requestId = newRequestId();
        const context: RequestContext = {
          requestId,
          correlationId: requestId,
          causationId: requestId,
          caller,
        };
        try {
          const reply = await services.request<{ id: string }>(
            MEMBERSHIP_SUBJECTS.getOrganization,
            { organizationId: principal.organizationId },
            context,
          );
          return reply.data.id === principal.organizationId;
        } catch {
          return false;
        }
      };
    }
    default:
      throw new Error(`${target} is not a NATS target`);
  }
}

/**
 * Both credentials at once, 32 connections each: the key and the user's access get cached, and
 * V8 compiles the hot paths of every process (the first seconds of traffic are several times
 * slower).
 */
async function warmUp(harness: Harness): Promise<void> {
  console.error(`Warming up for ${config.initialWarmUpMs / 1000} s...`);
  const key = await sendersFor(harness, 'gateway, API key', 32);
  const session = await sendersFor(harness, 'gateway, session token', 32);
  const direct = await sendersFor(harness, 'membership over NATS', 4);
  try {
    const result = await closedLoop(
      [...key.senders, ...session.senders, ...direct.senders],
      0,
      config.initialWarmUpMs,
    );
    if (result.errors > 0) throw new Error(`${result.errors} requests failed during the warm-up`);
  } finally {
    key.close();
    session.close();
    forgetLogs(harness.stack);
  }
}

/** The services write a log line per request; the stack keeps them all in memory otherwise. */
function forgetLogs(stack: ServiceStack): void {
  for (const service of stack.processes) service.logs.length = 0;
}

async function measureClosed(
  harness: Harness,
  target: TargetName,
  level: number,
  repetition: number,
): Promise<Measurement> {
  const { senders, close } = await sendersFor(harness, target, level);
  let cpu: { stop(): CpuUsage } | undefined;
  try {
    const result = await closedLoop(senders, config.warmUpMs, config.durationMs, () => {
      cpu = startCpuMeasurement(harness.groups);
    });
    return toMeasurement(target, 'closed', level, repetition, result, cpu!.stop());
  } finally {
    close();
    forgetLogs(harness.stack);
  }
}

async function measureOpen(
  harness: Harness,
  target: TargetName,
  rate: number,
  repetition: number,
): Promise<Measurement> {
  const { senders, close } = await sendersFor(harness, target, config.openLoopConnections);
  let cpu: { stop(): CpuUsage } | undefined;
  try {
    const result = await openLoop(senders, rate, config.warmUpMs, config.durationMs, () => {
      cpu = startCpuMeasurement(harness.groups);
    });
    const measurement = toMeasurement(target, 'open', rate, repetition, result, cpu!.stop());
    measurement.serviceLatency = summariseLatencies(result.serviceLatencies);
    measurement.unsent = result.unsent;
    return measurement;
  } finally {
    close();
    forgetLogs(harness.stack);
  }
}

function toMeasurement(
  target: TargetName,
  mode: 'closed' | 'open',
  level: number,
  repetition: number,
  result: RunResult,
  cpu: CpuUsage,
): Measurement {
  const measurement: Measurement = {
    target,
    mode,
    level,
    repetition,
    rate: Math.round(result.rate),
    latency: summariseLatencies(result.latencies.length ? result.latencies : [Number.NaN]),
    errors: result.errors,
    cpu,
    loadAverage1m: loadAverage1m(),
  };
  const { latency } = measurement;
  console.error(
    `  ${target}, ${mode === 'closed' ? `${level} in flight` : `${level}/s offered`}, ` +
      `#${repetition + 1}: ${measurement.rate}/s, p50 ${latency.p50} ms, p99 ${latency.p99} ms, ` +
      `errors ${result.errors}, CPU ${cpu.machineBusyCores.toFixed(2)} cores ` +
      `(load ${measurement.loadAverage1m})`,
  );
  return measurement;
}

/**
 * What authenticating costs the gateway's CPU per request, in-process and cache hot: the real
 * ApiKeyCache.resolve (checksum, SHA-256, map lookup, expiry) and SessionTokenVerifier.verify
 * (ES256 signature and claims), each many times in a row. Microseconds per call.
 */
async function authenticationCost(
  services: ServiceClient,
  principal: Principal,
): Promise<{ apiKeyResolveUs: number; sessionVerifyUs: number }> {
  const requestId = newRequestId();
  const context: RequestContext = { requestId, correlationId: requestId, causationId: requestId };
  const keys = new ApiKeyCache(lookupOverNats(services), { ttlMs: 3_600_000, maxEntries: 10 });
  const verifier = new SessionTokenVerifier(services, systemClock);
  if (!(await keys.resolve(principal.apiKey, context))) throw new Error('the key does not resolve');
  await verifier.verify(principal.sessionToken, context);
  const time = async (calls: number, once: () => Promise<unknown>) => {
    for (let index = 0; index < calls / 10; index += 1) await once();
    const startedAt = performance.now();
    for (let index = 0; index < calls; index += 1) await once();
    return Math.round(((performance.now() - startedAt) * 1000 * 100) / calls) / 100;
  };
  return {
    apiKeyResolveUs: await time(100_000, () => keys.resolve(principal.apiKey, context)),
    sessionVerifyUs: await time(10_000, () => verifier.verify(principal.sessionToken, context)),
  };
}

function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function summarise(measurements: readonly Measurement[]): Summary[] {
  const keys = new Map<string, Measurement[]>();
  for (const measurement of measurements) {
    const key = `${measurement.mode}|${measurement.target}|${measurement.level}`;
    keys.set(key, [...(keys.get(key) ?? []), measurement]);
  }
  return [...keys.values()].map((runs) => {
    const of = (pick: (run: Measurement) => number) => median(runs.map(pick));
    const cpu: Summary['cpu'] = {
      machine: of((run) => run.cpu.machineBusyCores),
      other: of((run) => run.cpu.otherCores),
    };
    for (const group of Object.keys(runs[0].cpu.cores)) {
      cpu[group] = of((run) => run.cpu.cores[group]);
    }
    const summary: Summary = {
      target: runs[0].target,
      mode: runs[0].mode,
      level: runs[0].level,
      rate: Math.round(of((run) => run.rate)),
      p50: of((run) => run.latency.p50),
      p99: of((run) => run.latency.p99),
      max: of((run) => run.latency.max),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      cpu,
    };
    if (runs[0].mode === 'open') {
      summary.serviceP50 = of((run) => run.serviceLatency!.p50);
      summary.serviceP99 = of((run) => run.serviceLatency!.p99);
      summary.unsent = runs.reduce((sum, run) => sum + (run.unsent ?? 0), 0);
    }
    return summary;
  });
}

async function main() {
  const startedAt = new Date();
  const loadBefore = loadAverage1m();
  console.error('Starting identity, membership, keys and the gateway...');
  const stack = await ServiceStack.start(config.databaseUrl, [
    'identity',
    'membership',
    'keys',
    'gateway',
  ]);
  const measurements: Measurement[] = [];
  let authCost: { apiKeyResolveUs: number; sessionVerifyUs: number };
  let floor: Awaited<ReturnType<typeof startFloorServer>> | undefined;
  let nats: NatsConnection | undefined;
  let services: ServiceClient | undefined;
  try {
    const gateway = stack.processes.find((process) => process.service === 'gateway')!;
    // ServiceStack keeps its nats-server to itself; the services' environment names it
    const natsUrl = environmentOf(gateway.pid, 'NATS_URL')!;
    const principal = await setUp(stack.gatewayUrl);
    floor = await startFloorServer(natsUrl, ENDPOINT, principal.body);
    const client = await connect({ servers: natsUrl, name: 'bench-client' });
    nats = client;
    const logger = createLogger('bench', 'warn');
    const serviceClient = new ServiceClient({
      natsUrl,
      defaultTimeoutMs: 5000,
      name: 'bench',
      logger,
    });
    services = serviceClient;
    await serviceClient.onModuleInit();
    authCost = await authenticationCost(serviceClient, principal);
    console.error(
      `Authentication, in-process, cache hot: API key ${authCost.apiKeyResolveUs} µs, ` +
        `session token ${authCost.sessionVerifyUs} µs`,
    );

    const natsPort = new URL(natsUrl).port;
    const database = new URL(config.databaseUrl).pathname.slice(1);
    const pidOf = (service: string) =>
      stack.processes.filter((process) => process.service === service).map(({ pid }) => pid);
    const floorPid = floor.pid;
    const harness: Harness = {
      stack,
      principal,
      gatewayPort: Number(new URL(stack.gatewayUrl).port),
      floorPort: floor.port,
      nats: client,
      services: serviceClient,
      groups: [
        // the client, and the parsing of the services' log lines (ServiceStack reads them)
        { name: 'bench client', pids: () => [process.pid] },
        { name: 'gateway', pids: () => pidOf('gateway') },
        { name: 'membership', pids: () => pidOf('membership') },
        { name: 'keys+identity', pids: () => [...pidOf('keys'), ...pidOf('identity')] },
        { name: 'nats-server', pids: () => findProcesses(['nats-server', `-p ${natsPort}`]) },
        { name: 'postgres', pids: () => findProcesses(['postgres:', ` ${database} `]) },
        { name: 'floor server', pids: () => [floorPid] },
      ],
    };

    await warmUp(harness);
    for (let repetition = 0; repetition < config.repetitions; repetition += 1) {
      // a fresh token each round: it must not expire during a long run
      principal.sessionToken = await signIn(stack.gatewayUrl, principal.email);
      console.error(`Repetition ${repetition + 1} of ${config.repetitions}`);
      // rotate the order so no target always runs first or last
      const order = CLOSED_LOOP_TARGETS.map(
        (_, index) => CLOSED_LOOP_TARGETS[(index + repetition) % CLOSED_LOOP_TARGETS.length],
      );
      for (const level of config.concurrency) {
        for (const target of order) {
          measurements.push(await measureClosed(harness, target, level, repetition));
        }
      }
      for (const rate of config.rates) {
        for (const target of OPEN_LOOP_TARGETS) {
          measurements.push(await measureOpen(harness, target, rate, repetition));
        }
      }
    }
  } finally {
    await services?.onApplicationShutdown();
    await nats?.drain();
    await floor?.stop();
    await stack.stop();
  }

  const summaries = summarise(measurements);
  report(summaries, authCost);
  const loadAfter = loadAverage1m();
  console.log(`\nLoad average (1 min): ${loadBefore} before, ${loadAfter} after`);
  await writeBenchResults(RESULTS_FILE, startedAt, {
    // lists as text: the file stays as Prettier formats it
    config: {
      ...config,
      concurrency: config.concurrency.join(', '),
      rates: config.rates.join(', '),
    },
    target: TARGET,
    loadAverage1m: { before: loadBefore, after: loadAfter },
    authenticationCostUs: authCost,
    summaries,
    measurements,
  });
  if (summaries.some((summary) => summary.errors > 0)) process.exitCode = 1;
}

function report(
  summaries: Summary[],
  authCost: { apiKeyResolveUs: number; sessionVerifyUs: number },
) {
  const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(2));
  const cores = (value: number) => value.toFixed(2);
  const closed = summaries.filter((summary) => summary.mode === 'closed');
  const open = summaries.filter((summary) => summary.mode === 'open');
  const sorted = (list: Summary[], order: TargetName[]) =>
    [...list].sort(
      (a, b) => order.indexOf(a.target) - order.indexOf(b.target) || a.level - b.level,
    );

  console.log(
    `\nClosed loop: ${ENDPOINT}, medians of ${config.repetitions} runs of ` +
      `${config.durationMs / 1000} s after ${config.warmUpMs / 1000} s of warm-up ` +
      '(in flight: HTTP connections, or NATS requests outstanding)\n',
  );
  console.log(
    formatTable(
      ['target', 'in flight', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'CPU busy'],
      sorted(closed, CLOSED_LOOP_TARGETS).map((summary) => [
        summary.target,
        String(summary.level),
        summary.rate.toLocaleString('en-US'),
        ms(summary.p50),
        ms(summary.p99),
        ms(summary.max),
        String(summary.errors),
        cores(summary.cpu.machine),
      ]),
    ),
  );

  console.log(
    `\nOpen loop: requests due at a fixed rate over ${config.openLoopConnections} connections; ` +
      'latency from when each was due (and from when it was sent)\n',
  );
  console.log(
    formatTable(
      [
        'target',
        'offered/s',
        'done/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'sent→done p50',
        'p99',
        'unsent',
        'errors',
        'CPU busy',
      ],
      sorted(open, OPEN_LOOP_TARGETS).map((summary) => [
        summary.target,
        summary.level.toLocaleString('en-US'),
        summary.rate.toLocaleString('en-US'),
        ms(summary.p50),
        ms(summary.p99),
        ms(summary.max),
        ms(summary.serviceP50),
        ms(summary.serviceP99),
        String(summary.unsent),
        String(summary.errors),
        cores(summary.cpu.machine),
      ]),
    ),
  );

  const find = (mode: string, target: TargetName, level: number) =>
    summaries.find((s) => s.mode === mode && s.target === target && s.level === level);
  console.log('\nAPI key / session token (same run)\n');
  console.log(
    formatTable(
      ['mode', 'level', 'req/s ratio', 'p50 ratio', 'p99 ratio'],
      [
        ...config.concurrency.map((level) => ['closed', level] as const),
        ...config.rates.map((rate) => ['open', rate] as const),
      ].map(([mode, level]) => {
        const key = find(mode, 'gateway, API key', level)!;
        const session = find(mode, 'gateway, session token', level)!;
        return [
          mode,
          String(level),
          (key.rate / session.rate).toFixed(2),
          (key.p50 / session.p50).toFixed(2),
          (key.p99 / session.p99).toFixed(2),
        ];
      }),
    ),
  );

  const groups = Object.keys(closed[0].cpu);
  const cpuTable = (title: string, rows: (Summary | undefined)[]) => {
    console.log(`\n${title}\n`);
    console.log(
      formatTable(
        ['target', 'req/s', ...groups],
        rows
          .filter((summary): summary is Summary => summary !== undefined)
          .map((summary) => [
            summary.target,
            summary.rate.toLocaleString('en-US'),
            ...groups.map((group) => String(Math.round((summary.cpu[group] * 1e6) / summary.rate))),
          ]),
      ),
    );
  };
  const low = Math.min(...config.rates);
  cpuTable(
    `CPU per request at ${low}/s offered, µs (cores busy × 10⁶ / req/s; "machine": all busy ` +
      'CPU, "other": busy CPU that no process of the bench accounts for)',
    OPEN_LOOP_TARGETS.map((target) => find('open', target, low)),
  );
  const top = Math.max(...config.concurrency);
  cpuTable(
    `CPU per request at ${top} in flight (closed loop, as fast as it goes), µs`,
    CLOSED_LOOP_TARGETS.map((target) => find('closed', target, top)),
  );
  console.log(
    `\nAuthentication alone, in-process, cache hot: API key ${authCost.apiKeyResolveUs} µs, ` +
      `session token ${authCost.sessionVerifyUs} µs per request`,
  );

  const keyAtTarget = find('open', 'gateway, API key', TARGET.rate);
  if (keyAtTarget) {
    const met =
      keyAtTarget.p99 <= TARGET.p99Ms &&
      keyAtTarget.unsent === 0 &&
      keyAtTarget.rate >= TARGET.rate * 0.99;
    console.log(
      `\nTarget (known key: p99 <= ${TARGET.p99Ms} ms at >= ${TARGET.rate}/s): ` +
        `${met ? 'met' : 'MISSED'} (${keyAtTarget.rate}/s done of ${TARGET.rate}/s offered, ` +
        `p99 ${keyAtTarget.p99} ms)`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
