import { Writable } from 'node:stream';
import { connect } from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import type { INestMicroservice } from '@nestjs/common';
import {
  apiKeyPrefix,
  apiKeyStreamName,
  generateApiKey,
  hashApiKey,
  keyEvents,
  MESSAGE_HEADERS,
  organizationEvents,
  organizationStreamName,
  resourceEvents,
  resourceStreamName,
  RESOURCES_SUBJECTS,
  type AuthorizationView,
  type AuthorizeRequest,
  type StoredEventShape,
} from '@orgplane/contracts';
import {
  formatPosition,
  maxPosition,
  PostgresEventStore,
  type JsonObject,
  type Position,
} from '@orgplane/event-store';
import { createLogger, ServiceClient, toRequestHeaders } from '@orgplane/messaging';
import {
  dropSchema,
  refusal,
  startNatsServer,
  testDatabaseUrl,
  uniqueSchemaName,
  type RunningNatsServer,
} from '@orgplane/testing';
import { newId, newRequestId, ServiceError } from '@orgplane/util';
import { startResources } from '../src/bootstrap';
import {
  authorizationMatrix,
  buildAuthorizationWorld,
  principalOf,
  type MatrixCase,
  type MatrixWorld,
} from './support/authorization-matrix';

jest.setTimeout(120_000);

const url = testDatabaseUrl();
const eventStoreSchema = uniqueSchemaName('authz_int_events');
const readModelSchema = uniqueSchemaName('authz_int_read');
/** short, so the test of the bound does not wait long */
const CONSISTENCY_WAIT_MS = 1000;

let nats: RunningNatsServer;
let service: INestMicroservice;
let store: PostgresEventStore;
let services: ServiceClient;
let raw: NatsConnection;
/** every line the service logged */
const logLines: string[] = [];
let world: MatrixWorld;
/** where the matrix's world is complete */
let seeded: Position;

function start(): Promise<INestMicroservice> {
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  return startResources(
    {
      NATS_URL: nats.url,
      DATABASE_URL: url,
      DATABASE_POOL_MAX: '5',
      EVENTSTORE_SCHEMA: eventStoreSchema,
      READ_MODEL_SCHEMA: readModelSchema,
      CONSISTENCY_WAIT_MS: String(CONSISTENCY_WAIT_MS),
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '0',
    },
    logs,
  );
}

beforeAll(async () => {
  nats = await startNatsServer();
  store = await PostgresEventStore.create({
    connectionString: url,
    schema: eventStoreSchema,
    poolSize: 2,
  });
  service = await start();
  services = new ServiceClient({
    natsUrl: nats.url,
    defaultTimeoutMs: 10_000,
    name: 'authorization-int-spec',
    logger: createLogger('authorization-int-spec', 'silent'),
  });
  await services.onModuleInit();
  raw = await connect({ servers: nats.url, name: 'authorization-int-spec-raw' });
  world = buildAuthorizationWorld();
  seeded = await seed(world);
});

afterAll(async () => {
  await service?.close();
  await services?.onApplicationShutdown();
  await raw?.drain();
  await store?.close();
  await nats?.stop();
  await dropSchema(url, readModelSchema);
  await dropSchema(url, eventStoreSchema);
});

function metadata() {
  const id = newId();
  return {
    orgId: null,
    actor: { type: 'system' as const, id: 'authorization-int-spec' },
    requestId: id,
    correlationId: id,
    causationId: id,
  };
}

/** Appends as the owning service would; the position of the last event. */
async function append(streamName: string, events: StoredEventShape[]): Promise<Position> {
  const { position } = await store.append(
    streamName,
    events.map((event) => ({
      id: newId(),
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data as JsonObject,
      metadata: metadata(),
    })),
  );
  return position;
}

async function seed(built: MatrixWorld): Promise<Position> {
  let last: Position | undefined;
  for (const { streamName, events } of built.streams) {
    const position = await append(streamName, events);
    last = last ? maxPosition(last, position) : position;
  }
  return last!;
}

/** `resources.v1.authorize` as a platform service asks it (ServiceClient). */
async function authorize(
  request: AuthorizeRequest,
  /** null: none, as a caller that has seen no write */
  minPosition: Position | null = seeded,
): Promise<AuthorizationView> {
  const requestId = newRequestId();
  const reply = await services.request<AuthorizationView>(RESOURCES_SUBJECTS.authorize, request, {
    requestId,
    correlationId: requestId,
    causationId: requestId,
    minPosition: minPosition ?? undefined,
  });
  return reply.data;
}

/** Every case's answer, 32 requests in flight at a time. */
async function answersOf(
  cases: readonly MatrixCase[],
  minPosition: Position | null,
): Promise<AuthorizationView[]> {
  const answers: AuthorizationView[] = new Array(cases.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < cases.length) {
        const index = next++;
        answers[index] = await authorize(cases[index].request, minPosition);
      }
    }),
  );
  return answers;
}

function mismatches(cases: readonly MatrixCase[], answers: readonly AuthorizationView[]) {
  return cases.flatMap((matrixCase, index) => {
    const { allowed, reason, role } = answers[index];
    const expected = matrixCase.expected;
    return allowed === expected.allowed && reason === expected.reason && role === expected.role
      ? []
      : [
          `${matrixCase.principal} ${matrixCase.action} ${matrixCase.visibility} ${matrixCase.kind}: ` +
            `expected ${JSON.stringify(expected)}, got ${JSON.stringify(answers[index])}`,
        ];
  });
}

/** Extra cases: ids that are unknown, of another kind, of another organization, or not visible. */
function edgeCases(built: MatrixWorld): MatrixCase[] {
  const base = { kind: 'agent' as const, visibility: 'org' as const, action: 'read' as const };
  const ask = (
    principal: MatrixCase['principal'],
    organizationId: string,
    resource: AuthorizeRequest['resource'],
    expected: AuthorizationView,
  ): MatrixCase => ({
    ...base,
    principal,
    request: {
      principal: principalOf(built, principal),
      organizationId,
      action: 'read',
      resource,
    },
    expected,
  });
  const { organizationId, otherOrganizationId, resources, extraResources } = built;
  return [
    ask('owner', organizationId, { kind: 'agent', id: newId() }, denied('not_found', 'member')),
    ask('admin', organizationId, { kind: 'agent', id: newId() }, denied('not_found', 'admin')),
    // the kind asked about is part of what is looked up: an agent is not a tool
    ask(
      'owner',
      organizationId,
      { kind: 'tool', id: resources.agent.org },
      denied('not_found', 'member'),
    ),
    ask(
      'owner',
      organizationId,
      { kind: 'agent', id: extraResources.adminPrivateAgent },
      denied('not_found', 'member'),
    ),
    ask(
      'admin',
      organizationId,
      { kind: 'agent', id: extraResources.adminPrivateAgent },
      allowed('owner', 'admin'),
    ),
    // another organization's resource that is not public does not exist for whoever acts here
    ask(
      'owner',
      organizationId,
      { kind: 'agent', id: extraResources.otherOrganizationAgent },
      denied('not_found', 'member'),
    ),
    ask(
      'admin',
      organizationId,
      { kind: 'agent', id: extraResources.otherOrganizationAgent },
      denied('not_found', 'admin'),
    ),
    // a user asks where they are a member: here the non-member is not one, whatever the resource
    ask(
      'nonMember',
      organizationId,
      { kind: 'agent', id: resources.agent.public },
      denied('not_a_member', null),
    ),
    // a public resource reaches beyond its organization, by id, for the other one's key too
    ask(
      'otherOrgKey',
      otherOrganizationId,
      { kind: 'agent', id: resources.agent.public },
      allowed('public', 'admin'),
    ),
    ask(
      'otherOrgKey',
      otherOrganizationId,
      { kind: 'tool', id: resources.tool.public },
      allowed('public', 'admin'),
    ),
    ask(
      'nonMember',
      otherOrganizationId,
      { kind: 'tool', id: resources.agent.public },
      denied('not_found', 'admin'),
    ),
    // that organization's own resources, for its member and its key
    ask(
      'nonMember',
      otherOrganizationId,
      { kind: 'agent', id: extraResources.otherOrganizationAgent },
      allowed('owner', 'admin'),
    ),
    ask(
      'otherOrgKey',
      otherOrganizationId,
      { kind: 'agent', id: extraResources.otherOrganizationAgent },
      allowed('owner', 'admin'),
    ),
    ask(
      'otherOrgKey',
      otherOrganizationId,
      { kind: 'agent', id: resources.agent.org },
      denied('not_found', 'admin'),
    ),
    // a key never acts outside its organization, whatever the request names
    ask(
      'memberKey',
      otherOrganizationId,
      { kind: 'agent', id: extraResources.otherOrganizationAgent },
      denied('unknown_api_key', null),
    ),
  ];
}

function allowed(reason: string, role: AuthorizationView['role']): AuthorizationView {
  return { allowed: true, reason, role };
}
function denied(reason: string, role: AuthorizationView['role']): AuthorizationView {
  return { allowed: false, reason, role };
}

/** The answer to `request` once it differs from `before`, and how long that took (no position). */
async function timeToChange(
  request: AuthorizeRequest,
  before: AuthorizationView,
  change: () => Promise<unknown>,
): Promise<{ answer: AuthorizationView; ms: number }> {
  const startedAt = performance.now();
  await change();
  for (;;) {
    const answer = await authorize(request, null);
    const ms = performance.now() - startedAt;
    if (answer.reason !== before.reason || answer.allowed !== before.allowed || ms > 5000) {
      return { answer, ms };
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function indexReadyLines(): Record<string, unknown>[] {
  return logLines
    .map((line) => JSON.parse(line) as { msg?: string })
    .filter((line) => line.msg?.startsWith('Authorization index ready: '))
    .map((line) => JSON.parse(line.msg!.slice('Authorization index ready: '.length)));
}

describe('resources.v1.authorize', () => {
  it('answers the whole matrix as the spec’s rules say', async () => {
    const cases = authorizationMatrix(world);
    // 9 principals × 4 kinds × 3 visibilities × 5 actions
    expect(cases).toHaveLength(540);
    expect(mismatches(cases, await answersOf(cases, seeded))).toEqual([]);
  });

  it('answers not_found alike for unknown ids, other kinds, other organizations and hidden ones', async () => {
    const cases = edgeCases(world);
    expect(mismatches(cases, await answersOf(cases, seeded))).toEqual([]);
  });

  it('refuses an expired key, and the key of an owner who left, as unknown', async () => {
    const built = buildAuthorizationWorld();
    await seed(built);
    const secret = generateApiKey(false);
    const expiredKeyId = newId();
    await append(apiKeyStreamName(expiredKeyId), [
      keyEvents.encode({
        type: 'ApiKeyCreated',
        data: {
          keyId: expiredKeyId,
          organizationId: built.organizationId,
          ownerUserId: built.users.admin,
          name: 'expired',
          keyPrefix: apiKeyPrefix(secret),
          keyHash: hashApiKey(secret),
          scopes: ['*'],
          projectId: null,
          isTest: false,
          expiresAt: new Date(Date.now() - 1000).toISOString(),
          createdAt: new Date(Date.now() - 60_000).toISOString(),
        },
      }),
    ]);
    const read = (keyId: string) => ({
      principal: { type: 'apiKey' as const, keyId },
      organizationId: built.organizationId,
      action: 'read' as const,
      resource: { kind: 'agent' as const, id: built.resources.agent.org },
    });
    const before = await authorize(read(built.keys.memberKey.keyId), null);
    expect(before).toEqual(allowed('owner', 'member'));
    const left = await append(organizationStreamName(built.organizationId), [
      organizationEvents.encode({
        type: 'MemberLeft',
        data: {
          organizationId: built.organizationId,
          userId: built.users.owner,
          role: 'member',
          leftAt: new Date().toISOString(),
        },
      }),
    ]);
    expect(await authorize(read(expiredKeyId), left)).toEqual(denied('unknown_api_key', null));
    expect(await authorize(read(built.keys.memberKey.keyId), left)).toEqual(
      denied('unknown_api_key', null),
    );
    expect(
      await authorize(
        {
          ...read(built.keys.memberKey.keyId),
          principal: { type: 'user', userId: built.users.owner },
        },
        left,
      ),
    ).toEqual(denied('not_a_member', null));
  });

  describe('freshness', () => {
    let built: MatrixWorld;
    let ready: Position;
    beforeAll(async () => {
      built = buildAuthorizationWorld();
      ready = await seed(built);
    });

    const ask = (
      principal: MatrixCase['principal'],
      id: string,
      action: AuthorizeRequest['action'] = 'read',
    ): AuthorizeRequest => ({
      principal: principalOf(built, principal),
      organizationId: built.organizationId,
      action,
      resource: { kind: 'agent', id },
    });

    it('reflects a role change, a revocation and a visibility change at once with their position', async () => {
      const privateAgent = built.resources.agent.private;
      expect(await authorize(ask('otherMember', privateAgent), ready)).toEqual(
        denied('not_found', 'member'),
      );
      const promoted = await append(organizationStreamName(built.organizationId), [
        organizationEvents.encode({
          type: 'MemberRoleChanged',
          data: {
            organizationId: built.organizationId,
            userId: built.users.otherMember,
            role: 'admin',
            previousRole: 'member',
            changedBy: built.users.admin,
            changedAt: new Date().toISOString(),
          },
        }),
      ]);
      expect(await authorize(ask('otherMember', privateAgent), promoted)).toEqual(
        allowed('admin', 'admin'),
      );

      const revoked = await append(apiKeyStreamName(built.keys.memberKey.keyId), [
        keyEvents.encode({
          type: 'ApiKeyRevoked',
          data: {
            keyId: built.keys.memberKey.keyId,
            revokedBy: built.users.owner,
            cause: null,
            revokedAt: new Date().toISOString(),
          },
        }),
      ]);
      expect(await authorize(ask('memberKey', privateAgent), revoked)).toEqual(
        denied('unknown_api_key', null),
      );

      // the owner's private agent, published by the Admin: the other Members see it
      const ownerTool = built.resources.tool.private;
      const toolRead: AuthorizeRequest = {
        principal: { type: 'user', userId: built.users.owner },
        organizationId: built.organizationId,
        action: 'read',
        resource: { kind: 'tool', id: ownerTool },
      };
      const published = await append(resourceStreamName(ownerTool), [
        resourceEvents.encode({
          type: 'ResourceVisibilityChanged',
          data: {
            resourceId: ownerTool,
            visibility: 'public',
            previousVisibility: 'private',
            changedBy: built.users.admin,
            changedAt: new Date().toISOString(),
          },
        }),
      ]);
      const demoted = await append(organizationStreamName(built.organizationId), [
        organizationEvents.encode({
          type: 'MemberRoleChanged',
          data: {
            organizationId: built.organizationId,
            userId: built.users.otherMember,
            role: 'member',
            previousRole: 'admin',
            changedBy: built.users.admin,
            changedAt: new Date().toISOString(),
          },
        }),
      ]);
      expect(
        await authorize(
          { ...toolRead, principal: { type: 'user', userId: built.users.otherMember } },
          maxPosition(published, demoted),
        ),
      ).toEqual(allowed('public', 'member'));
      expect(await authorize(toolRead, published)).toEqual(allowed('owner', 'member'));
    });

    it('reflects changes within a second without a position', async () => {
      const orgAgent = built.resources.agent.org;
      const workflow = built.resources.workflow.private;
      const before = await authorize(ask('agentReadKey', orgAgent), null);
      expect(before).toEqual(allowed('owner', 'member'));
      const revocation = await timeToChange(ask('agentReadKey', orgAgent), before, () =>
        append(apiKeyStreamName(built.keys.agentReadKey.keyId), [
          keyEvents.encode({
            type: 'ApiKeyRevoked',
            data: {
              keyId: built.keys.agentReadKey.keyId,
              revokedBy: null,
              cause: null,
              revokedAt: new Date().toISOString(),
            },
          }),
        ]),
      );
      expect(revocation.answer).toEqual(denied('unknown_api_key', null));
      expect(revocation.ms).toBeLessThan(1000);

      const workflowRead: AuthorizeRequest = {
        principal: { type: 'user', userId: built.users.otherMember },
        organizationId: built.organizationId,
        action: 'read',
        resource: { kind: 'workflow', id: workflow },
      };
      const hidden = await authorize(workflowRead, null);
      expect(hidden).toEqual(denied('not_found', 'member'));
      const visibility = await timeToChange(workflowRead, hidden, () =>
        append(resourceStreamName(workflow), [
          resourceEvents.encode({
            type: 'ResourceVisibilityChanged',
            data: {
              resourceId: workflow,
              visibility: 'org',
              previousVisibility: 'private',
              changedBy: built.users.admin,
              changedAt: new Date().toISOString(),
            },
          }),
        ]),
      );
      expect(visibility.answer).toEqual(allowed('visible_to_members', 'member'));
      expect(visibility.ms).toBeLessThan(1000);

      const adminRead = {
        ...workflowRead,
        principal: { type: 'user' as const, userId: built.users.admin },
      };
      const asAdmin = await authorize({ ...adminRead, action: 'delete' }, null);
      expect(asAdmin).toEqual(allowed('admin', 'admin'));
      const roleChange = await timeToChange({ ...adminRead, action: 'delete' }, asAdmin, () =>
        append(organizationStreamName(built.organizationId), [
          organizationEvents.encode({
            type: 'MemberRoleChanged',
            data: {
              organizationId: built.organizationId,
              userId: built.users.admin,
              role: 'member',
              previousRole: 'admin',
              changedBy: null,
              changedAt: new Date().toISOString(),
            },
          }),
        ]),
      );
      expect(roleChange.answer).toEqual(denied('owner_or_admin_required', 'member'));
      expect(roleChange.ms).toBeLessThan(1000);
    });

    it('waits for a position the index has not reached, and answers 503 past the bound', async () => {
      const ahead: Position = { commit: 2n ** 62n, prepare: 0n };
      const startedAt = performance.now();
      const error = await refusal(authorize(ask('owner', built.resources.agent.org), ahead));
      expect(error).toMatchObject({ kind: 'unavailable', code: 'consistency_timeout' });
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(CONSISTENCY_WAIT_MS - 50);
    });
  });

  describe('bad input', () => {
    it('answers the validation error every service gives, per field', async () => {
      const error = await refusal(
        services.request(
          RESOURCES_SUBJECTS.authorize,
          {
            principal: { type: 'apiKey', keyId: 'not-a-uuid' },
            organizationId: world.organizationId,
            action: 'launch',
            resource: { kind: 'agent', id: world.resources.agent.org },
            extra: true,
          },
          { requestId: 'req_1', correlationId: 'req_1', causationId: 'req_1' },
        ),
      );
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.toBody()).toMatchObject({
        kind: 'validation',
        code: 'validation_failed',
        details: {
          fields: {
            'principal.keyId': [expect.any(String)],
            action: [expect.any(String)],
            extra: ['Unknown field'],
          },
        },
      });
      const missing = await refusal(
        services.request(
          RESOURCES_SUBJECTS.authorize,
          {},
          {
            requestId: 'req_2',
            correlationId: 'req_2',
            causationId: 'req_2',
          },
        ),
      );
      expect(missing.toBody()).toMatchObject({
        kind: 'validation',
        details: { fields: { principal: ['Required'], organizationId: ['Required'] } },
      });
    });

    it('refuses a malformed consistency position, and answers plain NATS clients too', async () => {
      const request: AuthorizeRequest = {
        principal: { type: 'user', userId: world.users.owner },
        organizationId: world.organizationId,
        action: 'run',
        resource: { kind: 'sandbox', id: world.resources.sandbox.org },
      };
      const headers = () =>
        toRequestHeaders({ requestId: 'r', correlationId: 'r', causationId: 'r' });
      const bad = headers();
      bad.set(MESSAGE_HEADERS.consistencyPosition, 'yesterday');
      const refused = await raw.request(
        RESOURCES_SUBJECTS.authorize,
        JSON.stringify({ pattern: RESOURCES_SUBJECTS.authorize, data: request, id: 'x1' }),
        { headers: bad as unknown as MsgHdrs, timeout: 5000 },
      );
      expect(refused.json()).toMatchObject({
        id: 'x1',
        isDisposed: true,
        err: {
          kind: 'validation',
          details: { fields: { [MESSAGE_HEADERS.consistencyPosition]: [expect.any(String)] } },
        },
      });
      const good = headers();
      good.set(MESSAGE_HEADERS.consistencyPosition, formatPosition(seeded));
      const plain = await raw.request(RESOURCES_SUBJECTS.authorize, JSON.stringify(request), {
        headers: good as unknown as MsgHdrs,
        timeout: 5000,
      });
      expect(plain.json()).toEqual({
        response: { data: allowed('owner', 'member') },
        isDisposed: true,
      });
      const notJson = await raw.request(RESOURCES_SUBJECTS.authorize, 'authorize me', {
        timeout: 5000,
      });
      expect(notJson.json()).toMatchObject({ err: { kind: 'validation' } });
    });
  });

  it('gives the same answers after a restart, from the read models', async () => {
    const cases = [...authorizationMatrix(world), ...edgeCases(world)];
    const before = await answersOf(cases, seeded);
    expect(mismatches(cases, before)).toEqual([]);
    const ready = indexReadyLines().length;
    await service.close();
    service = await start();
    const loaded = indexReadyLines().slice(ready);
    expect(loaded).toHaveLength(1);
    // loaded from the read models at their checkpoint, not replayed from the start of $all
    expect(loaded[0]).toMatchObject({ loadedFrom: expect.stringMatching(/^\d+:\d+$/) });
    expect(loaded[0].resources).toBeGreaterThanOrEqual(14);
    // no position: the instance answers only once it has caught up with $all
    expect(await answersOf(cases, null)).toEqual(before);
  });
});
