import { organizationStreamName } from '@orgplane/contracts';
import { eventually, Traffic, type ServiceProcess, type TrafficAttempt } from '@orgplane/testing';
import {
  acknowledged,
  failuresOtherThanOutage,
  FAULT_CONSISTENCY_WAIT_MS,
  FAULT_REQUEST_TIMEOUT_MS,
  FAULT_TRAFFIC,
  RECOVERY_BOUND_MS,
  startStackOnPrivatePostgres,
  throughFault,
  type FaultOutcome,
} from './support/faults';
import { Stack } from './support/stack';

// Faults lose no acknowledged write: while a client keeps creating organizations, NATS, a
// membership instance or PostgreSQL goes down and comes back. Requests may fail meanwhile, as 503
// only; once the fault is over they succeed again within a bound, and every organization that was
// acknowledged (2xx) can be read and was recorded exactly once.

// Long enough that the bounds, not Jest, say what took too long.
jest.setTimeout(60_000);

/** a standby takes over the projections of a dead instance within this */
const TAKEOVER_BOUND_MS = 5000;
/** GETs in flight at once when every acknowledged organization is read back */
const READ_BACK_CONCURRENCY = 8;

interface CreateOutcome extends FaultOutcome {
  name: string;
  /** the organization, when acknowledged */
  id?: string;
  /** X-Consistency-Position of an acknowledged create */
  position?: string;
}

type CreateAttempt = TrafficAttempt<CreateOutcome>;

/** Creates organizations through the gateway, recording every outcome. */
function createOrganizations(stack: Stack, token: string, label: string): Traffic<CreateOutcome> {
  return new Traffic(async (sequence) => {
    const name = `${label} ${sequence}`;
    const response = await stack.request({
      method: 'POST',
      path: '/v1/organizations',
      token,
      json: { name },
    });
    const { status } = response;
    return status >= 200 && status < 300
      ? {
          status,
          name,
          id: response.body.data.id,
          position: response.headers.get('x-consistency-position') ?? undefined,
        }
      : { status, name, code: response.body?.error?.code };
  }, FAULT_TRAFFIC);
}

/** Creates organizations through the fault (see throughFault); returns every attempt. */
function createThroughFault(
  stack: Stack,
  token: string,
  label: string,
  fault: () => Promise<void>,
): Promise<CreateAttempt[]> {
  return throughFault(stack, createOrganizations(stack, token, label), fault);
}

/**
 * The read models follow again: a create answers once its projections hold it, so a read right
 * after it finds the organization. (While they do not, creates still succeed, after the
 * consistency wait, and the read answers 404.)
 */
async function expectReadYourWrites(stack: Stack, token: string): Promise<void> {
  await eventually(
    async () => {
      const created = await stack.request({
        method: 'POST',
        path: '/v1/organizations',
        token,
        json: { name: 'Read your writes' },
      });
      expect(created.status).toBe(201);
      const read = await stack.request({
        method: 'GET',
        path: `/v1/organizations/${created.body.data.id}`,
        token,
      });
      expect(read.status).toBe(200);
    },
    { timeoutMs: RECOVERY_BOUND_MS, intervalMs: 100 },
  );
}

/** identity recovered too: a first sign-in records a user and waits for its read model */
async function expectSignInOfNewUser(stack: Stack, email: string): Promise<void> {
  await eventually(() => stack.signIn(email), { timeoutMs: RECOVERY_BOUND_MS, intervalMs: 100 });
}

/**
 * Failures were 503 only; every acknowledged organization reads back (as the client that created
 * it would, with its consistency position) and has exactly one OrganizationCreated in the store.
 */
async function expectNoAcknowledgedWriteLost(
  stack: Stack,
  token: string,
  attempts: readonly CreateAttempt[],
): Promise<void> {
  expect(failuresOtherThanOutage(attempts)).toEqual([]);

  const created = attempts.filter(acknowledged).map(({ outcome }) => outcome);
  const unreadable: unknown[] = [];
  for (let start = 0; start < created.length; start += READ_BACK_CONCURRENCY) {
    await Promise.all(
      created.slice(start, start + READ_BACK_CONCURRENCY).map(async ({ id, name, position }) => {
        const read = await stack.request({
          method: 'GET',
          path: `/v1/organizations/${id}`,
          token,
          headers: position ? { 'X-Consistency-Position': position } : {},
        });
        if (read.status !== 200 || read.body.data.name !== name) {
          unreadable.push({ id, name, status: read.status, body: read.body });
        }
      }),
    );
  }
  expect(unreadable).toEqual([]);

  const recorded = new Map<string, number>();
  for (const event of await stack.store.readAll({
    filter: { eventTypes: ['OrganizationCreated'] },
  })) {
    recorded.set(event.streamName, (recorded.get(event.streamName) ?? 0) + 1);
  }
  const notRecordedOnce = created
    .map(({ id }) => ({ id, count: recorded.get(organizationStreamName(id!)) ?? 0 }))
    .filter(({ count }) => count !== 1);
  expect(notRecordedOnce).toEqual([]);
}

const TOOK_PROJECTION_LOCK = /^(Projection \S+): took the lock/;

/** The projections an instance became active for, from what it logged after line `sinceLine`. */
function projectionsTakenBy(instance: ServiceProcess, sinceLine = 0): Set<string> {
  const taken = new Set<string>();
  for (const line of instance.logs.slice(sinceLine)) {
    const match = TOOK_PROJECTION_LOCK.exec(line.msg ?? '');
    if (match) taken.add(match[1]);
  }
  return taken;
}

describe('NATS and membership faults', () => {
  let stack: Stack;
  let token: string;
  /** the membership instances still running */
  let running: ServiceProcess[];

  beforeAll(async () => {
    stack = await Stack.start({
      membershipInstances: 2,
      requestTimeoutMs: FAULT_REQUEST_TIMEOUT_MS,
      consistencyWaitMs: FAULT_CONSISTENCY_WAIT_MS,
    });
    running = [...stack.membership];
    ({ token } = await stack.signIn('ada@example.com'));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('NATS restarted while requests flow: services and gateway reconnect', async () => {
    const attempts = await createThroughFault(stack, token, 'NATS restart', () =>
      stack.nats.restart(),
    );
    await expectReadYourWrites(stack, token);
    await expectNoAcknowledgedWriteLost(stack, token, attempts);
    await expectSignInOfNewUser(stack, 'grace@example.com');
  });

  it('one of two membership instances killed: the other keeps serving and takes over its projections', async () => {
    const victim = await eventually(() => {
      const holder = running.find((instance) => projectionsTakenBy(instance).size > 0);
      expect(holder).toBeDefined();
      return holder!;
    });
    const survivor = running.find((instance) => instance !== victim)!;
    let killedAt = Infinity;
    const attempts = await createThroughFault(stack, token, 'Instance killed', async () => {
      const survivorLinesBefore = survivor.logs.length;
      killedAt = performance.now();
      await victim.kill();
      // The dead instance's sessions, and with them its advisory locks, end with its process.
      await eventually(
        () => {
          const takenOver = projectionsTakenBy(survivor, survivorLinesBefore);
          const left = [...projectionsTakenBy(victim)].filter((name) => !takenOver.has(name));
          expect(left).toEqual([]);
        },
        { timeoutMs: TAKEOVER_BOUND_MS, intervalMs: 50 },
      );
    });
    running = [survivor];
    // Only requests the victim had taken can fail: those in flight when it died, those NATS still
    // routed to it until the server saw its connection close, and those that joined a lookup
    // already waiting on it (the gateway shares a lookup only while it is young: NoticedCache).
    // All of them started within one request timeout of the kill.
    const failedLate = attempts.filter(
      (attempt) =>
        !acknowledged(attempt) && attempt.startedAt >= killedAt + FAULT_REQUEST_TIMEOUT_MS,
    );
    expect(
      failedLate.map(({ outcome, startedAt, endedAt }) => ({
        ...outcome,
        sentAfterKillMs: Math.round(startedAt - killedAt),
        tookMs: Math.round(endedAt - startedAt),
      })),
    ).toEqual([]);
    await expectReadYourWrites(stack, token);
    await expectNoAcknowledgedWriteLost(stack, token, attempts);
  });

  it('the only membership instance killed mid-traffic and started again', async () => {
    const [only] = running;
    const attempts = await createThroughFault(stack, token, 'Only instance killed', async () => {
      await only.kill();
      running = [await stack.startMembershipInstance()];
    });
    await expectReadYourWrites(stack, token);
    await expectNoAcknowledgedWriteLost(stack, token, attempts);
  });
});

describe('PostgreSQL fault', () => {
  let faulty: Awaited<ReturnType<typeof startStackOnPrivatePostgres>>;
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    faulty = await startStackOnPrivatePostgres();
    ({ stack } = faulty);
    ({ token } = await stack.signIn('ada@example.com'));
  }, 120_000);

  afterAll(() => faulty?.stop(), 60_000);

  it('PostgreSQL restarted while requests flow: pools, projection locks and subscriptions recover', async () => {
    const attempts = await createThroughFault(stack, token, 'PostgreSQL restart', () =>
      faulty.postgres.restart(),
    );
    // an outage is told apart from a bug, so clients and operators know a retry may succeed
    const codes = new Set(attempts.filter((a) => !acknowledged(a)).map((a) => a.outcome.code));
    expect(codes.has('internal_error')).toBe(false);
    await expectReadYourWrites(stack, token);
    await expectNoAcknowledgedWriteLost(stack, token, attempts);
    await expectSignInOfNewUser(stack, 'grace@example.com');
  });
});
