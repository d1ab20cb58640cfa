import { randomUUID } from 'node:crypto';
import { RESOURCES_SUBJECTS, type RegisterResourceRequest } from '@orgplane/contracts';
import type { RecordedEvent } from '@orgplane/event-store';
import { createLogger, ReadYourWritesClient } from '@orgplane/messaging';
import { eventually, Traffic, type TrafficAttempt } from '@orgplane/testing';
import { HTTP_STATUS_OF, ServiceError } from '@orgplane/util';
import { ORGANIZATION_HEADER } from '../src/authorization/authorization.guard';
import {
  acknowledged,
  failuresOtherThanOutage,
  FAULT_REQUEST_TIMEOUT_MS,
  FAULT_TRAFFIC,
  RECOVERY_BOUND_MS,
  startStackOnPrivatePostgres,
  throughFault,
  type FaultOutcome,
} from './support/faults';
import { Stack } from './support/stack';

// The vault, the resources service and the keys service under faults, as faults.e2e has
// membership: while a client keeps writing, the service is killed and started again, or
// PostgreSQL restarts. Requests may fail meanwhile, as 503 only. Afterwards every acknowledged
// write is there, recorded once (an API key authenticates); a write that failed left nothing or
// the whole of it (never a secret whose value cannot be opened); and every value a reveal handed
// out has exactly one SecretRevealed event with the reveal's request id, since the vault appends
// the audit event before the value leaves it, whatever fails.

// Long enough that the bounds, not Jest, say what took too long.
jest.setTimeout(60_000);

const REVEALED_SECRET = 'REVEALED_THROUGH_FAULTS';

/** a write (and what it wrote) or a reveal (and what it answered) */
interface WriteOutcome extends FaultOutcome {
  kind: 'secret' | 'reveal' | 'project' | 'registration' | 'apiKey';
  /** the secret's, project's or API key's name, or the resource's id */
  key: string;
  /** the value written, the value a reveal answered, or the API key created */
  value?: string;
  requestId?: string | null;
}

type WriteAttempt = TrafficAttempt<WriteOutcome>;

let faulty: Awaited<ReturnType<typeof startStackOnPrivatePostgres>>;
let stack: Stack;
/** the platform service that registers resources: a retry waits no longer than a request */
let platform: ReadYourWritesClient;
let ada: { token: string; userId: string };
let organizationId: string;
const revealedValue = `revealed-${randomUUID()}`;

beforeAll(async () => {
  faulty = await startStackOnPrivatePostgres();
  ({ stack } = faulty);
  platform = await ReadYourWritesClient.connect(
    stack.nats.url,
    stack.resourceRegistrar.service,
    createLogger(stack.resourceRegistrar.service, 'silent'),
    FAULT_REQUEST_TIMEOUT_MS,
  );
  ada = await stack.signIn('ada@example.com');
  const organization = await stack.request({
    method: 'POST',
    path: '/v1/organizations',
    token: ada.token,
    json: { name: 'Faults' },
  });
  expect(organization.status).toBe(201);
  organizationId = organization.body.data.id;
  const written = await inOrganization('POST', '/v1/secrets', {
    name: REVEALED_SECRET,
    value: revealedValue,
  });
  expect(written.status).toBeLessThan(300);
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await faulty?.stop();
}, 60_000);

/** Ada's request in the organization (she is its Admin). */
function inOrganization(method: 'GET' | 'POST', path: string, json?: Record<string, string>) {
  return stack.request({
    method,
    path,
    token: ada.token,
    json,
    headers: { [ORGANIZATION_HEADER]: organizationId },
  });
}

/** How many events of `type` of the organization each key has (`keyOf` picks it). */
async function recordedCounts(
  type: string,
  keyOf: (event: RecordedEvent) => string,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const event of await stack.store.readAll({ filter: { eventTypes: [type] } })) {
    if (event.data.organizationId !== organizationId) continue;
    const key = keyOf(event);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Writes made by name whose events carry the id they got (`idField`): how many events each name
 * has, and a read-back through `GET /v1/<collection>/<id>` ('absent' when no event names it).
 */
async function recordedByName(
  type: string,
  idField: string,
  collection: string,
): Promise<{ counts: Map<string, number>; readBack: (name: string) => Promise<string> }> {
  const ids = new Map<string, string>();
  const counts = await recordedCounts(type, ({ data }) => {
    ids.set(String(data.name), String(data[idField]));
    return String(data.name);
  });
  return {
    counts,
    async readBack(name) {
      const id = ids.get(name);
      if (!id) return 'absent';
      const read = await inOrganization('GET', `/v1/${collection}/${id}`);
      return read.status === 200 && read.body.data.name === name ? 'whole' : `${read.status}`;
    },
  };
}

/**
 * Each write: acknowledged, it reads back and was recorded once; failed, it was not recorded and
 * does not read back, or it was recorded once and reads back whole. `readsBack` answers 'whole',
 * 'absent' or anything else (which is wrong).
 */
async function expectWritesKept(
  writes: readonly WriteAttempt[],
  recorded: Map<string, number>,
  readsBack: (outcome: WriteOutcome) => Promise<string>,
): Promise<void> {
  const wrong: unknown[] = [];
  for (const attempt of writes) {
    const times = recorded.get(attempt.outcome.key) ?? 0;
    const found = await readsBack(attempt.outcome);
    const kept =
      (times === 1 && found === 'whole') ||
      (!acknowledged(attempt) && times === 0 && found === 'absent');
    if (!kept) wrong.push({ ...attempt.outcome, recorded: times, found });
  }
  expect(wrong).toEqual([]);
}

const ofKind = (attempts: readonly WriteAttempt[], kind: WriteOutcome['kind']) =>
  attempts.filter(({ outcome }) => outcome.kind === kind);

describe('the secrets vault', () => {
  /** Even attempts write a new secret, odd ones reveal REVEALED_SECRET. */
  function writeAndReveal(label: string): Traffic<WriteOutcome> {
    return new Traffic(async (sequence) => {
      if (sequence % 2 === 1) {
        const response = await inOrganization('POST', `/v1/secrets/${REVEALED_SECRET}/reveal`);
        return {
          kind: 'reveal' as const,
          key: REVEALED_SECRET,
          status: response.status,
          code: response.body?.error?.code,
          value: response.body?.data?.value,
          requestId: response.headers.get('x-request-id'),
        };
      }
      const name = `${label}_${sequence}`;
      const value = `${label}-${sequence}-${randomUUID()}`;
      const response = await inOrganization('POST', '/v1/secrets', { name, value });
      return {
        kind: 'secret' as const,
        key: name,
        value,
        status: response.status,
        code: response.body?.error?.code,
      };
    }, FAULT_TRAFFIC);
  }

  async function expectSecretsKept(attempts: readonly WriteAttempt[]): Promise<void> {
    expect(failuresOtherThanOutage(attempts)).toEqual([]);
    await expectWritesKept(
      ofKind(attempts, 'secret'),
      await recordedCounts('SecretCreated', ({ data }) => String(data.name)),
      async ({ key, value }) => {
        const reveal = await inOrganization('POST', `/v1/secrets/${key}/reveal`);
        if (reveal.status === 404) return 'absent';
        return reveal.status === 200 && reveal.body.data.value === value
          ? 'whole'
          : `${reveal.status} ${JSON.stringify(reveal.body)}`;
      },
    );

    const auditedReveals = await recordedCounts('SecretRevealed', ({ data, metadata }) =>
      data.name === REVEALED_SECRET ? metadata.requestId : '',
    );
    const answered = ofKind(attempts, 'reveal').filter(acknowledged);
    expect(answered.length).toBeGreaterThan(0);
    const unaudited = answered
      .map(({ outcome }) => ({
        requestId: outcome.requestId,
        valueRight: outcome.value === revealedValue,
        events: auditedReveals.get(outcome.requestId ?? '') ?? 0,
      }))
      .filter(({ valueRight, events }) => !valueRight || events !== 1);
    expect(unaudited).toEqual([]);
  }

  it('killed while secrets are written and revealed, then started again', async () => {
    const attempts = await throughFault(stack, writeAndReveal('KILLED'), () =>
      stack.restartSecretsVault({}, { killed: true }),
    );
    await expectSecretsKept(attempts);
  });

  it('PostgreSQL restarted while secrets are written and revealed', async () => {
    const attempts = await throughFault(stack, writeAndReveal('RESTARTED'), () =>
      faulty.postgres.restart(),
    );
    await expectSecretsKept(attempts);
  });
});

describe('the resources service', () => {
  function registration(resourceId: string): RegisterResourceRequest {
    return {
      organizationId,
      kind: 'agent',
      resourceId,
      name: `agent ${resourceId.slice(0, 8)}`,
      ownerUserId: ada.userId,
    };
  }

  /** The platform registers `resourceId` over NATS; a failure is an outcome, as over HTTP. */
  async function register(resourceId: string): Promise<WriteOutcome> {
    const base = { kind: 'registration' as const, key: resourceId };
    try {
      await platform.request(RESOURCES_SUBJECTS.registerResource, registration(resourceId), null, {
        serviceCredential: stack.resourceRegistrar.credential,
      });
      return { ...base, status: 201 };
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      return { ...base, status: HTTP_STATUS_OF[error.kind], code: error.code };
    }
  }

  /** Even attempts register a new agent over NATS, odd ones create a project over HTTP. */
  function registerAndCreate(label: string): Traffic<WriteOutcome> {
    return new Traffic(async (sequence) => {
      if (sequence % 2 === 0) return register(randomUUID());
      const name = `${label} ${sequence}`;
      const response = await inOrganization('POST', '/v1/projects', { name });
      return {
        kind: 'project' as const,
        key: name,
        status: response.status,
        code: response.body?.error?.code,
      };
    }, FAULT_TRAFFIC);
  }

  /**
   * A platform service retries what failed, with the same id: once the fault is over the retry
   * is acknowledged, and registers nothing a second time.
   */
  async function retryFailedRegistrations(attempts: readonly WriteAttempt[]): Promise<void> {
    for (const { outcome } of ofKind(attempts, 'registration').filter((a) => !acknowledged(a))) {
      await eventually(async () => expect((await register(outcome.key)).status).toBe(201), {
        timeoutMs: RECOVERY_BOUND_MS,
        intervalMs: 100,
      });
    }
  }

  async function expectResourcesKept(attempts: readonly WriteAttempt[]): Promise<void> {
    expect(failuresOtherThanOutage(attempts)).toEqual([]);
    await retryFailedRegistrations(attempts);
    const registrations = ofKind(attempts, 'registration');
    await expectWritesKept(
      // each was acknowledged in the end, by its retry if not at first
      registrations.map((attempt) => ({
        ...attempt,
        outcome: { ...attempt.outcome, status: 201 },
      })),
      await recordedCounts('ResourceRegistered', ({ data }) => String(data.resourceId)),
      async ({ key }) => {
        const read = await inOrganization('GET', `/v1/agents/${key}`);
        return read.status === 200 && read.body.data.id === key ? 'whole' : `${read.status}`;
      },
    );

    const projects = await recordedByName('ProjectCreated', 'projectId', 'projects');
    await expectWritesKept(ofKind(attempts, 'project'), projects.counts, ({ key }) =>
      projects.readBack(key),
    );
  }

  it('killed while agents are registered and projects created, then started again', async () => {
    const attempts = await throughFault(stack, registerAndCreate('Killed'), () =>
      stack.restartResources({ killed: true }),
    );
    await expectResourcesKept(attempts);
  });

  it('PostgreSQL restarted while agents are registered and projects created', async () => {
    const attempts = await throughFault(stack, registerAndCreate('Restarted'), () =>
      faulty.postgres.restart(),
    );
    await expectResourcesKept(attempts);
  });
});

describe('the keys service', () => {
  /** Creates API keys; an acknowledged one carries the key, shown this once. */
  function createApiKeys(label: string): Traffic<WriteOutcome> {
    return new Traffic(async (sequence) => {
      const name = `${label} ${sequence}`;
      const response = await inOrganization('POST', '/v1/api-keys', { name });
      return {
        kind: 'apiKey' as const,
        key: name,
        value: response.body?.data?.key,
        status: response.status,
        code: response.body?.error?.code,
      };
    }, FAULT_TRAFFIC);
  }

  /** An acknowledged key authenticates; a failed create that was recorded reads back by its id. */
  async function expectApiKeysKept(attempts: readonly WriteAttempt[]): Promise<void> {
    expect(failuresOtherThanOutage(attempts)).toEqual([]);
    const apiKeys = await recordedByName('ApiKeyCreated', 'keyId', 'api-keys');
    await expectWritesKept(
      ofKind(attempts, 'apiKey'),
      apiKeys.counts,
      async ({ key, value, status }) => {
        if (status === 201) {
          const authenticated = await stack.request({
            method: 'GET',
            path: '/v1/auth/status',
            token: value,
          });
          return authenticated.status === 200 ? 'whole' : `${authenticated.status}`;
        }
        return apiKeys.readBack(key);
      },
    );
  }

  it('killed while API keys are created, then started again', async () => {
    const attempts = await throughFault(stack, createApiKeys('Killed'), () =>
      stack.restartKeys({ killed: true }),
    );
    await expectApiKeysKept(attempts);
  });

  it('PostgreSQL restarted while API keys are created', async () => {
    const attempts = await throughFault(stack, createApiKeys('Restarted'), () =>
      faulty.postgres.restart(),
    );
    await expectApiKeysKept(attempts);
  });
});
