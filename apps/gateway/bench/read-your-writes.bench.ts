/**
 * Read-your-writes over HTTP: identity, membership and the gateway as real processes; a signed-in
 * client creates an organization and reads it straight back, again and again. Every GET must
 * find what the POST before it created (the POST answers only once the read models hold it).
 *
 *   npm run bench:read-your-writes                # the library-level bench, then this
 *   node -r @swc-node/register apps/gateway/bench/read-your-writes.bench.ts
 *
 * See README.md next to this file for the phases and the variables.
 */
import {
  formatTable,
  loadAverage1m,
  summariseLatencies,
  uniqueSchemaName,
  writeBenchResults,
  type LatencySummary,
  benchDatabaseUrl,
  positiveInteger,
} from '@orgplane/testing';
import path from 'node:path';
import { Pool } from 'pg';
import { ServiceStack } from './service-stack';

const RESULTS_FILE = path.join(__dirname, 'results', 'read-your-writes.json');

const config = {
  databaseUrl: benchDatabaseUrl(),
  requests: positiveInteger('BENCH_HTTP_REQUESTS', 500),
  warmUp: positiveInteger('BENCH_WARM_UP', 50),
};

interface PhaseResult {
  phase: string;
  /** POST /v1/organizations: 201 once the read models hold the organization */
  post: LatencySummary;
  /** GET /v1/organizations/:id right after, without a consistency position */
  get: LatencySummary;
  postThenGet: LatencySummary;
  /** GETs that did not answer 200 with the organization just created: must be 0 */
  getsThatMissedTheWrite: number;
  failedPosts: number;
  /** the database floor, one sample after each round: see DurableWriteFloor */
  insertThenSelect: LatencySummary;
  loadAverage1m: { before: number; after: number };
}

interface HttpAnswer {
  status: number;
  body: { data?: { id?: string } } | null;
}

class Client {
  constructor(
    private readonly baseUrl: string,
    private token = '',
  ) {}

  async signIn(email: string): Promise<void> {
    const answer = await this.request('POST', '/v1/auth/dev/sign-in', { email });
    const token = (answer.body?.data as { accessToken?: string } | undefined)?.accessToken;
    if (answer.status !== 200 || !token) throw new Error(`sign-in answered ${answer.status}`);
    this.token = token;
  }

  async request(method: 'GET' | 'POST', path: string, json?: unknown): Promise<HttpAnswer> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }
}

interface Round {
  postMs: number;
  getMs: number;
  created: boolean;
  seen: boolean;
}

/** One POST, then at once the GET of what it created. */
async function createThenRead(client: Client, name: string): Promise<Round> {
  const startedAt = performance.now();
  const created = await client.request('POST', '/v1/organizations', { name });
  const postedAt = performance.now();
  const id = created.body?.data?.id;
  if (created.status !== 201 || !id) {
    return { postMs: postedAt - startedAt, getMs: 0, created: false, seen: false };
  }
  const read = await client.request('GET', `/v1/organizations/${id}`);
  const readAt = performance.now();
  return {
    postMs: postedAt - startedAt,
    getMs: readAt - postedAt,
    created: true,
    seen: read.status === 200 && read.body?.data?.id === id,
  };
}

/**
 * The database's floor, sampled between the rounds so it sees the same moments of the disk and
 * the machine: a row the size of an organization INSERTed (a durable commit, like the POST's
 * append) and SELECTed back on another connection. A POST slower than this at the same
 * percentile costs that much more than PostgreSQL itself.
 */
class DurableWriteFloor {
  private constructor(
    private readonly writer: Pool,
    private readonly reader: Pool,
    private readonly schema: string,
  ) {}

  static async open(databaseUrl: string): Promise<DurableWriteFloor> {
    const floor = new DurableWriteFloor(
      new Pool({ connectionString: databaseUrl, max: 1 }),
      new Pool({ connectionString: databaseUrl, max: 1 }),
      uniqueSchemaName('httpbench_floor'),
    );
    await floor.writer.query(`CREATE SCHEMA "${floor.schema}"`);
    await floor.writer.query(
      `CREATE TABLE "${floor.schema}".organizations (id bigserial PRIMARY KEY, data jsonb NOT NULL)`,
    );
    return floor;
  }

  async sample(name: string): Promise<number> {
    const startedAt = performance.now();
    const { rows } = await this.writer.query<{ id: string }>(
      `INSERT INTO "${this.schema}".organizations (data) VALUES ($1) RETURNING id`,
      [{ name, createdAt: new Date().toISOString(), members: { admin: 'bench' } }],
    );
    await this.reader.query(`SELECT data FROM "${this.schema}".organizations WHERE id = $1`, [
      rows[0].id,
    ]);
    return performance.now() - startedAt;
  }

  async close(): Promise<void> {
    await this.writer.query(`DROP SCHEMA "${this.schema}" CASCADE`);
    await Promise.all([this.writer.end(), this.reader.end()]);
  }
}

async function measure(
  client: Client,
  floor: DurableWriteFloor,
  phase: string,
): Promise<PhaseResult> {
  const before = loadAverage1m();
  for (let index = 0; index < config.warmUp; index += 1) {
    await createThenRead(client, `Warm-up ${index}`);
    await floor.sample(`Warm-up ${index}`);
  }
  const rounds: Round[] = [];
  const floorSamples: number[] = [];
  for (let index = 0; index < config.requests; index += 1) {
    rounds.push(await createThenRead(client, `Bench ${phase} ${index}`));
    floorSamples.push(await floor.sample(`Bench ${phase} ${index}`));
  }
  const completed = rounds.filter((round) => round.created);
  const result: PhaseResult = {
    phase,
    post: summariseLatencies(completed.map((round) => round.postMs)),
    get: summariseLatencies(completed.map((round) => round.getMs)),
    postThenGet: summariseLatencies(completed.map((round) => round.postMs + round.getMs)),
    getsThatMissedTheWrite: completed.filter((round) => !round.seen).length,
    failedPosts: rounds.length - completed.length,
    insertThenSelect: summariseLatencies(floorSamples),
    loadAverage1m: { before, after: loadAverage1m() },
  };
  console.error(
    `${phase}: POST p99 ${result.post.p99} ms, GET p99 ${result.get.p99} ms, ` +
      `missed ${result.getsThatMissedTheWrite} (load ${before} -> ${result.loadAverage1m.after})`,
  );
  return result;
}

/**
 * The transport floor of the same path: a POST that membership refuses on validation (400), so
 * it crosses the gateway, NATS and the service but never the database.
 */
async function measureTransportFloor(client: Client): Promise<LatencySummary> {
  const latencies: number[] = [];
  for (let index = 0; index < config.warmUp + config.requests; index += 1) {
    const startedAt = performance.now();
    const answer = await client.request('POST', '/v1/organizations', { name: 42 });
    if (answer.status !== 400) throw new Error(`the invalid POST answered ${answer.status}`);
    if (index >= config.warmUp) latencies.push(performance.now() - startedAt);
  }
  return summariseLatencies(latencies);
}

async function main() {
  const startedAt = new Date();
  console.error('Starting identity, membership and the gateway...');
  const stack = await ServiceStack.start(config.databaseUrl, ['identity', 'membership', 'gateway']);
  let transportFloor: LatencySummary;
  const phases: PhaseResult[] = [];
  try {
    // the services have created the database by now
    const databaseFloor = await DurableWriteFloor.open(config.databaseUrl);
    try {
      const client = new Client(stack.gatewayUrl);
      await client.signIn(`bench-${Date.now()}@example.com`);
      transportFloor = await measureTransportFloor(client);
      phases.push(await measure(client, databaseFloor, '1 membership instance'));
      // A second instance takes half the requests; the first keeps the projections' locks, so
      // writes that land on the second wake the runners only through the store's NOTIFY.
      await stack.startService('membership');
      phases.push(await measure(client, databaseFloor, '2 membership instances'));
    } finally {
      await databaseFloor.close();
    }
  } finally {
    await stack.stop();
  }

  report(transportFloor, phases);
  await writeBenchResults(RESULTS_FILE, startedAt, {
    config,
    transportFloor,
    phases,
  });
  if (phases.some((phase) => phase.getsThatMissedTheWrite > 0 || phase.failedPosts > 0)) {
    process.exitCode = 1;
  }
}

function report(transportFloor: LatencySummary, phases: PhaseResult[]) {
  const cells = (summary: LatencySummary) => [summary.p50.toFixed(1), summary.p99.toFixed(1)];
  console.log(
    `\nRead-your-writes over HTTP (ms; ${config.requests} POST-then-GET rounds per phase, ` +
      'one client, each round after the last)\n',
  );
  console.log(
    formatTable(
      [
        'phase',
        'POST p50',
        'p99',
        'GET p50',
        'p99',
        'POST+GET p50',
        'p99',
        'GETs that missed the write',
        'failed POSTs',
        'INSERT+SELECT p50',
        'p99',
        'load 1m',
      ],
      [
        [
          'floor: invalid POST (400, no database)',
          ...cells(transportFloor),
          ...Array<string>(9).fill('-'),
        ],
        ...phases.map((phase) => [
          phase.phase,
          ...cells(phase.post),
          ...cells(phase.get),
          ...cells(phase.postThenGet),
          String(phase.getsThatMissedTheWrite),
          String(phase.failedPosts),
          ...cells(phase.insertThenSelect),
          `${phase.loadAverage1m.before}→${phase.loadAverage1m.after}`,
        ]),
      ],
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
