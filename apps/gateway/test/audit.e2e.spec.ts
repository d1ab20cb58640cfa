import { randomUUID } from 'node:crypto';
import {
  SECRETS_VAULT_SUBJECTS,
  type AuditChainVerification,
  type AuditEntry,
  type ResolvedSecretView,
} from '@orgplane/contracts';
import { formatPosition } from '@orgplane/event-store';
import { eventually } from '@orgplane/testing';
import { Client } from 'pg';
import { ORGANIZATION_HEADER } from '../src/authorization/authorization.guard';
import { API_KEY_HEADER } from '../src/authorization/credentials';
import { HTTP_HEADERS } from '../src/common/http-request-context';
import { ROUTES, type OperationId, type RouteSpec } from '../src/routes/route-catalog';
import { auditEntryFromCsv, readCsvObjects } from './support/csv';
import { REQUESTS, type RequestOf } from './support/requests';
import { Stack, type HttpRequest, type HttpResponse } from './support/stack';
import {
  after,
  buildWorld,
  createApiKey,
  expectStatus,
  signIn,
  uniqueEmail,
  WORLD_SECRETS,
  type SignedInUser,
  type World,
} from './support/world';

/**
 * The audit trail, end to end: every mutating route of the API (walked from the OpenAPI
 * document) writes exactly one entry per change it makes, naming who acted, from which address
 * and client, in which request; what reactions do in consequence are entries of their own that
 * point at the entry they follow from; refusals write none. Then who may read what, the filters
 * and pages of the list, the export, and the hash chain's check after a row is edited in the
 * database.
 */

jest.setTimeout(180_000);

/** An entry as the list and the export show it. */
type Entry = AuditEntry;

/**
 * POST, PUT, PATCH and DELETE operations with no case below, and why. The others must have one:
 * a new mutating route fails this test until it says what it writes.
 */
const NOT_AUDITED: Partial<Record<OperationId, string>> = {
  'auth.devSignIn': 'signs a user up or in: a user belongs to no organization, so no entry',
  'auth.refresh': 'renews a session token: nothing is recorded',
  'auth.logout': 'ends a WorkOS session: nothing is recorded',
  'webhooks.workos':
    'WorkOS calls it, signed with the webhook secret; a stack without WorkOS answers 404 ' +
    '(workos-sign-in.e2e.spec.ts); the membership changes it syncs are events like any other',
};

interface MutationCase {
  /** who sends the request: the world's Admin (default), its Member, or someone just invited */
  as?: 'admin' | 'member' | 'invitee';
  /** the request (default the authorization matrix's) */
  request?: (
    world: World,
    invitationId: string,
    operationId: OperationId,
  ) => Omit<HttpRequest, 'token'>;
  /** the entries the request itself makes, one per change */
  direct: string[];
  /** entries of reactions to it, by the action of the direct entry they follow from */
  consequences?: Record<string, string[]>;
  /** the organization the entries are in (default the world's) */
  organizationOf?: (world: World, response: HttpResponse) => string;
}

/** What a departing Member's things become (see the keys, vault and resources reactions). */
const DEPARTURE = [
  'api_key.revoked',
  'ssh_key.deleted',
  'secret.destroyed',
  'secret.destroyed',
  'resource.owner_changed',
  'resource.owner_changed',
  'resource.owner_changed',
  'resource.owner_changed',
];

const inWorld = (world: World) => ({ [ORGANIZATION_HEADER]: world.organizationId });

const matrixRequest = (operationId: OperationId, world: World) =>
  (REQUESTS[operationId as keyof typeof REQUESTS] as RequestOf)(world);

const PUBLISH_TO_ORGANIZATION: MutationCase = {
  // Publishing to where it is changes nothing (and writes nothing): to `org` it is a change.
  request: (world, _, operationId) => ({
    ...matrixRequest(operationId, world),
    json: { visibility: 'org' },
  }),
  direct: ['resource.published'],
};

const CASES: Partial<Record<OperationId, MutationCase>> = {
  'organizations.create': {
    direct: ['organization.created', 'member.joined'],
    consequences: {
      'organization.created': ['project.created'],
      'member.joined': ['workspace.created'],
    },
    organizationOf: (_, response) => response.body.data.id,
  },
  'organizations.switchCurrent': { direct: ['member.active_organization_switched'] },
  'organizations.update': {
    // Two changes, two entries.
    request: (world) => ({
      method: 'PATCH',
      path: `/v1/organizations/${world.organizationId}`,
      json: { name: 'Renamed for the audit', settings: { membersMayRevealOrgSecrets: true } },
    }),
    direct: ['organization.renamed', 'organization.settings_changed'],
  },
  'organizations.delete': {
    direct: ['organization.deleted'],
    consequences: {
      'organization.deleted': ['api_key.revoked', 'ssh_key.deleted', 'data_key.destroyed'],
    },
  },
  'members.changeRole': { direct: ['member.role_changed'] },
  'members.remove': {
    direct: ['member.removed'],
    consequences: { 'member.removed': DEPARTURE },
  },
  'members.leave': {
    as: 'member',
    direct: ['member.left'],
    consequences: { 'member.left': DEPARTURE },
  },
  'invitations.create': { direct: ['invitation.created'] },
  'invitations.revoke': { direct: ['invitation.revoked'] },
  'invitations.resend': { direct: ['invitation.resent'] },
  'invitations.accept': {
    as: 'invitee',
    request: (_, invitationId) => ({
      method: 'POST',
      path: `/v1/invitations/${invitationId}/accept`,
    }),
    direct: ['invitation.accepted', 'member.joined'],
    consequences: { 'member.joined': ['workspace.created'] },
  },
  'apiKeys.create': { as: 'member', direct: ['api_key.created'] },
  'apiKeys.update': { as: 'member', direct: ['api_key.updated'] },
  'apiKeys.revoke': { direct: ['api_key.revoked'] },
  'apiKeys.rotate': { as: 'member', direct: ['api_key.rotated'] },
  'sshKeys.add': { as: 'member', direct: ['ssh_key.added'] },
  'sshKeys.delete': { as: 'member', direct: ['ssh_key.deleted'] },
  'secrets.set': { direct: ['secret.created'] },
  'secrets.reveal': { as: 'member', direct: ['secret.revealed'] },
  'secrets.delete': { direct: ['secret.deleted'] },
  'secrets.undelete': { as: 'member', direct: ['secret.undeleted'] },
  'secrets.destroy': { direct: ['secret.destroyed'] },
  'projects.create': { direct: ['project.created'] },
  'projects.update': { direct: ['project.updated'] },
  'projects.delete': { direct: ['project.deleted'] },
  'workspaces.create': { as: 'member', direct: ['workspace.created'] },
  'workspaces.update': { as: 'member', direct: ['workspace.updated'] },
  'workspaces.delete': { as: 'member', direct: ['workspace.deleted'] },
  'registry.sandboxes.update': { as: 'member', direct: ['resource.updated'] },
  'registry.sandboxes.delete': { as: 'member', direct: ['resource.removed'] },
  'registry.sandboxes.publish': PUBLISH_TO_ORGANIZATION,
  'registry.agents.update': { as: 'member', direct: ['resource.updated'] },
  'registry.agents.delete': { as: 'member', direct: ['resource.removed'] },
  'registry.agents.publish': PUBLISH_TO_ORGANIZATION,
  'registry.workflows.update': { as: 'member', direct: ['resource.updated'] },
  'registry.workflows.delete': { as: 'member', direct: ['resource.removed'] },
  'registry.workflows.publish': PUBLISH_TO_ORGANIZATION,
  'registry.tools.update': { as: 'member', direct: ['resource.updated'] },
  'registry.tools.delete': { as: 'member', direct: ['resource.removed'] },
  'registry.tools.publish': PUBLISH_TO_ORGANIZATION,
};

let stack: Stack;
let adminUser: SignedInUser;
let memberUser: SignedInUser;
let auditSchema: string;
let database: Client;

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 1,
    requestTimeoutMs: 5000,
    consistencyWaitMs: 3000,
    // The test's requests come through a proxy on loopback that names the client.
    gatewayEnv: { TRUST_PROXY: 'loopback' },
  });
  [adminUser, memberUser] = await Promise.all([
    signIn(stack, uniqueEmail('audit-admin')),
    signIn(stack, uniqueEmail('audit-member')),
  ]);
  auditSchema = stack.schemas.find((schema) => schema.startsWith('e2e_audit'))!;
  database = new Client({ connectionString: stack.databaseUrl });
  await database.connect();
}, 120_000);

afterAll(async () => {
  await database?.end();
  await stack?.stop();
}, 60_000);

let clientCount = 0;
/** A client of its own for each request: an address (documentation range), an agent, a trace. */
function newClient(label: string) {
  clientCount += 1;
  return {
    ip: `198.51.100.${clientCount % 250}`,
    userAgent: `OrgplaneAuditTest/1.0 (${label}; ${randomUUID().slice(0, 8)})`,
    correlationId: `audit-${randomUUID()}`,
  };
}

function clientHeaders(client: ReturnType<typeof newClient>): Record<string, string> {
  return {
    'x-forwarded-for': client.ip,
    'user-agent': client.userAgent,
    [HTTP_HEADERS.correlationId]: client.correlationId,
  };
}

/** The entries of one request, as the organization's Admin lists them; oldest first. */
async function entriesOfRequest(
  admin: SignedInUser,
  organizationId: string,
  requestId: string,
  headers: Record<string, string> = {},
): Promise<Entry[]> {
  const response = expectStatus(
    await stack.request({
      method: 'GET',
      path: `/v1/activity?request_id=${requestId}&limit=500`,
      token: admin.token,
      headers: { [ORGANIZATION_HEADER]: organizationId, ...headers },
    }),
    200,
    'list the request’s entries',
  );
  return bySequence(response.body.data);
}

function bySequence(entries: Entry[]): Entry[] {
  return [...entries].sort((a, b) => a.sequence - b.sequence);
}

const sorted = (actions: string[]) => [...actions].sort();

/** Makes the audit read model catch up with everything written so far before a read. */
async function caughtUp(): Promise<Record<string, string>> {
  const head = await stack.head();
  return head ? { [HTTP_HEADERS.consistencyPosition]: formatPosition(head) } : {};
}

/**
 * The entries of a deleted organization, read in the audit schema: no one can ask the API about
 * an organization that no longer exists.
 */
async function storedEntriesOfRequest(requestId: string): Promise<Entry[]> {
  const { rows } = await database.query<
    Omit<Entry, 'cause'> & { causeEntryId: string | null; causeAction: string | null }
  >(
    `SELECT id, org_id AS "orgId", sequence::int AS sequence, action AS "eventType",
       actor_type AS "actorType", actor_user_id AS "actorUserId",
       actor_api_key_id AS "actorApiKeyId", actor_system_id AS "actorSystemId",
       cause_entry_id AS "causeEntryId", cause_action AS "causeAction",
       request_id AS "requestId", correlation_id AS "correlationId", ip,
       user_agent AS "userAgent"
     FROM ${auditSchema}.audit_entries WHERE request_id = $1 ORDER BY sequence`,
    [requestId],
  );
  return rows.map(({ causeEntryId, causeAction, ...row }) => ({
    ...row,
    cause: causeEntryId ? { entryId: causeEntryId, action: causeAction } : null,
  })) as Entry[];
}

describe('every mutating route writes one entry per change', () => {
  it('has a case for every POST, PUT, PATCH and DELETE of the OpenAPI document', async () => {
    const document = expectStatus(
      await stack.request({ method: 'GET', path: '/v1/openapi.json' }),
      200,
      'the OpenAPI document',
    ).body;
    const mutating = Object.values(document.paths as Record<string, Record<string, unknown>>)
      .flatMap((operations) =>
        Object.entries(operations).filter(([method]) =>
          ['post', 'put', 'patch', 'delete'].includes(method),
        ),
      )
      .map(([, operation]) => (operation as { operationId: string }).operationId);
    expect(mutating.length).toBeGreaterThan(30);
    const withoutCase = mutating.filter(
      (operationId) => !(operationId in CASES) && !(operationId in NOT_AUDITED),
    );
    expect(withoutCase).toEqual([]);
    // And no case or exception for a route that is not there (or not a write).
    expect(
      [...Object.keys(CASES), ...Object.keys(NOT_AUDITED)].filter(
        (operationId) => !mutating.includes(operationId),
      ),
    ).toEqual([]);
  });

  const operations = Object.keys(CASES) as OperationId[];

  it.each(operations)('%s', async (operationId) => {
    const spec = CASES[operationId]!;
    const route: RouteSpec = ROUTES[operationId];
    const world = await buildWorld(stack, adminUser, memberUser);
    const invitation = spec.as === 'invitee' ? await inviteSomeone(world) : undefined;
    const actor = invitation?.invitee ?? (spec.as === 'member' ? world.member : world.admin);
    const request =
      spec.request?.(world, invitation?.id ?? '', operationId) ?? matrixRequest(operationId, world);
    const client = newClient(operationId);

    const before = await stack.head();
    const response = await stack.request({
      ...request,
      token: actor.token,
      headers: { ...request.headers, ...(await caughtUp()), ...clientHeaders(client) },
    });
    expectStatus(response, route.status, operationId);
    const requestId = response.headers.get('x-request-id')!;
    const organizationId = spec.organizationOf?.(world, response) ?? world.organizationId;
    const consequences = Object.values(spec.consequences ?? {}).flat();
    const expectedCount = spec.direct.length + consequences.length;

    const entries = await eventually(
      async () => {
        const found =
          operationId === 'organizations.delete'
            ? await storedEntriesOfRequest(requestId)
            : await entriesOfRequest(world.admin, organizationId, requestId, after(response));
        expect(found.length).toBeGreaterThanOrEqual(expectedCount);
        return found;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );

    const direct = entries.filter((entry) => entry.cause === null);
    const caused = entries.filter((entry) => entry.cause !== null);
    expect(sorted(direct.map((entry) => entry.eventType))).toEqual(sorted(spec.direct));
    for (const entry of direct) {
      expect(entry).toMatchObject({
        orgId: organizationId,
        actorType: 'user',
        actorUserId: actor.userId,
        actorApiKeyId: null,
        ip: client.ip,
        userAgent: client.userAgent,
        requestId,
        correlationId: client.correlationId,
      });
    }
    // Consequences: the platform acted (no client of its own), for the entry named as cause.
    const causedBy = (action: string) =>
      caused
        .filter((entry) => {
          const cause = direct.find(({ id }) => id === entry.cause?.entryId);
          return cause?.eventType === action;
        })
        .map((entry) => entry.eventType);
    for (const [causeAction, actions] of Object.entries(spec.consequences ?? {})) {
      expect({ [causeAction]: sorted(causedBy(causeAction)) }).toEqual({
        [causeAction]: sorted(actions),
      });
    }
    expect(caused).toHaveLength(consequences.length);
    for (const entry of caused) {
      expect(entry).toMatchObject({
        actorType: 'system',
        actorUserId: null,
        ip: null,
        userAgent: null,
        requestId,
      });
    }
    // One entry per event the request made in the organization, and the entry's id is the event's.
    const events = (await stack.writtenBy(requestId, before)).filter(
      (event) => event.metadata.orgId === organizationId,
    );
    expect(sorted(entries.map((entry) => entry.id))).toEqual(sorted(events.map(({ id }) => id)));
  });
});

/** An invitation to someone new, not answered yet. */
async function inviteSomeone(world: World): Promise<{ invitee: SignedInUser; id: string }> {
  const invitee = await signIn(stack, uniqueEmail('audit-invitee'));
  const invitation = expectStatus(
    await stack.request({
      method: 'POST',
      path: `/v1/organizations/${world.organizationId}/invitations`,
      token: world.admin.token,
      json: { email: invitee.email, role: 'member' },
    }),
    201,
    'invite someone',
  );
  return { invitee, id: invitation.body.data.id };
}

describe('what is not a change writes nothing', () => {
  let world: World;

  beforeAll(async () => {
    world = await buildWorld(stack, adminUser, memberUser);
  }, 120_000);

  it('every reveal is one entry, each time', async () => {
    const requestIds: string[] = [];
    for (let reveal = 0; reveal < 3; reveal += 1) {
      const response = expectStatus(
        await stack.request({
          method: 'POST',
          path: `/v1/secrets/${WORLD_SECRETS.active}/reveal`,
          token: world.member.token,
          headers: inWorld(world),
          json: { version: 1 },
        }),
        200,
        'reveal',
      );
      requestIds.push(response.headers.get('x-request-id')!);
    }
    const headers = await caughtUp();
    for (const requestId of requestIds) {
      const entries = await entriesOfRequest(world.admin, world.organizationId, requestId, headers);
      expect(entries.map((entry) => entry.eventType)).toEqual(['secret.revealed']);
      expect(entries[0].attributes).not.toHaveProperty('value');
    }
  });

  it('refused requests (403, 404, 400) and changes to what already is write no entry', async () => {
    const refusals: [HttpRequest, number][] = [
      // A Member may not change roles.
      [
        {
          method: 'PATCH',
          path: `/v1/organizations/${world.organizationId}/members/${world.admin.userId}`,
          token: world.member.token,
          json: { role: 'member' },
        },
        403,
      ],
      // A key that is not there.
      [
        {
          method: 'DELETE',
          path: `/v1/api-keys/${randomUUID()}`,
          token: world.admin.token,
          headers: inWorld(world),
        },
        404,
      ],
      // A project without a name.
      [
        {
          method: 'POST',
          path: '/v1/projects',
          token: world.admin.token,
          headers: inWorld(world),
          json: { color: '#ffffff' },
        },
        400,
      ],
      // A reveal of someone else's private secret is a not found.
      [
        {
          method: 'POST',
          path: `/v1/secrets/${WORLD_SECRETS.active}-nope/reveal`,
          token: world.member.token,
          headers: inWorld(world),
          json: {},
        },
        404,
      ],
      // Publishing a resource to where it is already: 200, and nothing changed.
      [
        {
          method: 'POST',
          path: `/v1/agents/${world.memberResources.agent}/publish`,
          token: world.member.token,
          headers: inWorld(world),
          json: { visibility: 'private' },
        },
        200,
      ],
    ];
    const requestIds: string[] = [];
    for (const [request, status] of refusals) {
      const response = await stack.request(request);
      expect({ path: request.path, status: response.status }).toEqual({
        path: request.path,
        status,
      });
      requestIds.push(response.headers.get('x-request-id')!);
    }
    const headers = await caughtUp();
    for (const requestId of requestIds) {
      expect(await entriesOfRequest(world.admin, world.organizationId, requestId, headers)).toEqual(
        [],
      );
    }
  });
});

describe('a platform service resolving a secret', () => {
  it('is an entry naming the service and the user, without the value', async () => {
    const world = await buildWorld(stack, adminUser, memberUser);
    const name = 'RESOLVED_FOR_THE_AUDIT';
    const value = `resolved-canary-${randomUUID()}`;
    expectStatus(
      await stack.request({
        method: 'POST',
        path: '/v1/secrets',
        token: world.member.token,
        headers: { ...inWorld(world), ...(await caughtUp()) },
        json: { name, value, scope: stack.secretsResolver.usage },
      }),
      200,
      'set a secret',
    );
    const resolved = await stack.platform.request<ResolvedSecretView>(
      SECRETS_VAULT_SUBJECTS.resolveSecret,
      {
        organizationId: world.organizationId,
        userId: world.member.userId,
        name,
        usage: stack.secretsResolver.usage,
      },
      null,
      { serviceCredential: stack.secretsResolver.credential },
    );
    expect(resolved.data).toMatchObject({ name, source: 'user', value });

    const listed = expectStatus(
      await stack.request({
        method: 'GET',
        path: '/v1/activity?event_type=secret.resolved',
        token: world.admin.token,
        headers: { ...inWorld(world), ...(await caughtUp()) },
      }),
      200,
      'list the resolutions',
    );
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        eventType: 'secret.resolved',
        actorType: 'system',
        actorSystemId: stack.secretsResolver.service,
        actorUserId: null,
        resourceType: 'secret',
        resourceId: resolved.data.secretId,
        targets: [
          expect.objectContaining({ type: 'secret', id: resolved.data.secretId }),
          expect.objectContaining({ type: 'member', id: world.member.userId }),
        ],
        attributes: expect.objectContaining({
          name,
          forUserId: world.member.userId,
          resolver: stack.secretsResolver.service,
          usage: stack.secretsResolver.usage,
        }),
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(value);
  });
});

describe('the address, when no proxy forwards the request', () => {
  it('is the peer’s own', async () => {
    const world = await buildWorld(stack, adminUser, memberUser);
    const response = expectStatus(
      await stack.request({
        method: 'POST',
        path: '/v1/projects',
        token: world.admin.token,
        headers: { ...inWorld(world), 'user-agent': 'x'.repeat(2000) },
        json: { name: 'Straight in' },
      }),
      201,
      'create a project',
    );
    const [entry] = await entriesOfRequest(
      world.admin,
      world.organizationId,
      response.headers.get('x-request-id')!,
      after(response),
    );
    expect(entry.ip).toBe('127.0.0.1');
    // Long user agents are cut.
    expect(entry.userAgent).toBe('x'.repeat(512));
  });
});

describe('who reads what', () => {
  let world: World;
  let auditorKey: string;
  let adminKey: { id: string; key: string };
  let memberRequestId: string;
  let adminRequestId: string;
  let keyRequestId: string;

  beforeAll(async () => {
    world = await buildWorld(stack, adminUser, memberUser);
    const [auditor, withEverything] = await Promise.all([
      createApiKey(stack, world.admin, world.organizationId, {
        name: 'Auditor',
        scopes: ['activity:read'],
      }),
      createApiKey(stack, world.admin, world.organizationId, { name: 'Automation' }),
    ]);
    auditorKey = auditor.key;
    adminKey = withEverything;
    const write = async (token: string | undefined, headers: Record<string, string>) =>
      expectStatus(
        await stack.request({
          method: 'POST',
          path: '/v1/workspaces',
          token,
          headers: { ...inWorld(world), ...headers },
          json: { name: `Workspace ${randomUUID().slice(0, 6)}` },
        }),
        201,
        'create a workspace',
      ).headers.get('x-request-id')!;
    memberRequestId = await write(world.member.token, {});
    adminRequestId = await write(world.admin.token, {});
    keyRequestId = await write(undefined, { [API_KEY_HEADER]: adminKey.key });
  }, 120_000);

  const list = async (query: string, credentials: Pick<HttpRequest, 'token' | 'headers'>) =>
    stack.request({
      method: 'GET',
      path: `/v1/activity${query}`,
      token: credentials.token,
      headers: { ...inWorld(world), ...(await caughtUp()), ...credentials.headers },
    });

  it('an API key acts for its owner: the entry names both', async () => {
    const [entry] = await entriesOfRequest(
      world.admin,
      world.organizationId,
      keyRequestId,
      await caughtUp(),
    );
    expect(entry).toMatchObject({
      eventType: 'workspace.created',
      actorType: 'api_key',
      actorApiKeyId: adminKey.id,
      actorUserId: world.admin.userId,
    });
  });

  it('Members see only what they did, and may not ask for someone else’s', async () => {
    const own = expectStatus(await list('?limit=500', { token: world.member.token }), 200, 'list');
    expect(own.body.data.length).toBeGreaterThan(0);
    for (const entry of own.body.data as Entry[]) {
      expect(entry.actorUserId).toBe(world.member.userId);
    }
    expect((own.body.data as Entry[]).map((entry) => entry.requestId)).toContain(memberRequestId);
    expect((own.body.data as Entry[]).map((entry) => entry.requestId)).not.toContain(
      adminRequestId,
    );
    const others = await list(`?actor_user_id=${world.admin.userId}`, {
      token: world.member.token,
    });
    expect(others.status).toBe(403);
    expect(others.body.error.code).toEqual(expect.any(String));
    expectStatus(
      await list(`?actor_user_id=${world.member.userId}`, { token: world.member.token }),
      200,
      'ask for one’s own',
    );
  });

  it('Admins see everyone’s', async () => {
    const all = expectStatus(await list('?limit=500', { token: world.admin.token }), 200, 'list');
    const actors = new Set((all.body.data as Entry[]).map((entry) => entry.actorUserId));
    expect(actors).toEqual(new Set([world.admin.userId, world.member.userId, null]));
    const requestIds = (all.body.data as Entry[]).map((entry) => entry.requestId);
    expect(requestIds).toEqual(expect.arrayContaining([memberRequestId, adminRequestId]));
  });

  it('an Admin’s key with activity:read alone lists, exports and verifies, and changes nothing', async () => {
    const asAuditor = { headers: { [API_KEY_HEADER]: auditorKey } };
    expectStatus(await list('', asAuditor), 200, 'list as the auditor');
    for (const path of ['/v1/activity/export?format=csv', '/v1/activity/verify']) {
      expectStatus(
        await stack.request({
          method: 'GET',
          path,
          headers: { ...inWorld(world), ...asAuditor.headers },
        }),
        200,
        `${path} as the auditor`,
      );
    }
    const before = await stack.head();
    const writes = Object.entries(REQUESTS).filter(
      ([operationId]) => ROUTES[operationId as OperationId].method !== 'GET',
    );
    expect(writes.length).toBeGreaterThan(30);
    const answers = await Promise.all(
      writes.map(async ([operationId, requestOf]) => {
        const request = requestOf(world);
        const response = await stack.request({
          ...request,
          headers: { ...request.headers, ...asAuditor.headers },
        });
        return [operationId, response.status] as const;
      }),
    );
    expect(answers.filter(([, status]) => status !== 403)).toEqual([]);
    expect(
      (await stack.store.readAll({ fromPosition: before ?? 'start' })).filter(
        (event) => event.metadata.orgId === world.organizationId,
      ),
    ).toEqual([]);
  });
});

describe('filters and pages', () => {
  let world: World;
  let all: Entry[];

  beforeAll(async () => {
    world = await buildWorld(stack, adminUser, memberUser);
    // A departure, so there are system entries too.
    expectStatus(
      await stack.request({
        method: 'DELETE',
        path: `/v1/organizations/${world.organizationId}/members/${world.member.userId}`,
        token: world.admin.token,
      }),
      200,
      'remove the member',
    );
    // The departure's consequences land when each service's reaction gets to them, after the
    // removal answered: wait until they did and the log has stopped growing for a second.
    let previous: string[] = [];
    all = await eventually(
      async () => {
        const entries = await listAll('');
        const seen = previous;
        previous = ids(entries);
        expect(entries.filter((entry) => entry.actorType === 'system').length).toBeGreaterThan(
          DEPARTURE.length,
        );
        expect(ids(entries)).toEqual(seen);
        return entries;
      },
      { timeoutMs: 20_000, intervalMs: 1000 },
    );
  }, 120_000);

  async function page(query: string): Promise<HttpResponse> {
    return expectStatus(
      await stack.request({
        method: 'GET',
        path: `/v1/activity?${query}`,
        token: world.admin.token,
        headers: { ...inWorld(world), ...(await caughtUp()) },
      }),
      200,
      `list ?${query}`,
    );
  }

  /** Every entry matching `query`, following the cursor in pages of 3. */
  async function listAll(query: string): Promise<Entry[]> {
    const entries: Entry[] = [];
    let cursor: string | null = null;
    do {
      const next = cursor ? `cursor=${encodeURIComponent(cursor)}` : '';
      const response = await page([query, 'limit=3', next].filter(Boolean).join('&'));
      expect(response.body.data.length).toBeLessThanOrEqual(3);
      entries.push(...response.body.data);
      expect(response.body.meta.hasMore).toBe(response.body.meta.nextCursor !== null);
      cursor = response.body.meta.nextCursor;
    } while (cursor);
    return entries;
  }

  const ids = (entries: Entry[]) => entries.map((entry) => entry.id);
  const expectSame = (found: Entry[], expected: Entry[]) => {
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(ids(found))).toEqual(sorted(ids(expected)));
  };

  it('pages cover every entry once, in one order', async () => {
    expect(new Set(ids(all)).size).toBe(all.length);
    const single = (await page('limit=500')).body.data as Entry[];
    expect(ids(all)).toEqual(ids(single));
    expect(sorted(ids(all))).toEqual(sorted(ids(single)));
  });

  it('by actor', async () => {
    expectSame(
      await listAll(`actor_user_id=${world.member.userId}`),
      all.filter((entry) => entry.actorUserId === world.member.userId),
    );
    expectSame(
      await listAll('actor_type=system'),
      all.filter((entry) => entry.actorType === 'system'),
    );
  });

  it('by action: one, several, or a prefix', async () => {
    expectSame(
      await listAll('event_type=member.removed'),
      all.filter((entry) => entry.eventType === 'member.removed'),
    );
    expectSame(
      await listAll('event_type=api_key.revoked,ssh_key.deleted'),
      all.filter((entry) => ['api_key.revoked', 'ssh_key.deleted'].includes(entry.eventType)),
    );
    expectSame(
      await listAll('event_type=member.*'),
      all.filter((entry) => entry.eventType.startsWith('member.')),
    );
  });

  it('by target, main or other', async () => {
    expectSame(
      await listAll(`resource_type=member&resource_id=${world.member.userId}`),
      all.filter((entry) =>
        entry.targets.some(({ type, id }) => type === 'member' && id === world.member.userId),
      ),
    );
  });

  it('by time range', async () => {
    const ordered = [...all].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const since = ordered[Math.floor(ordered.length / 3)].createdAt;
    const until = ordered[Math.floor((2 * ordered.length) / 3)].createdAt;
    expectSame(
      await listAll(`since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`),
      // `since` inclusive, `until` exclusive
      all.filter((entry) => entry.createdAt >= since && entry.createdAt < until),
    );
  });
});

describe('export and tamper evidence', () => {
  let world: World;

  beforeAll(async () => {
    world = await buildWorld(stack, adminUser, memberUser);
    // A user agent a spreadsheet would run as a formula, and one that needs quoting.
    for (const userAgent of ['=HYPERLINK("http://example.com","x")', 'Agent, "quoted"']) {
      expectStatus(
        await stack.request({
          method: 'POST',
          path: '/v1/projects',
          token: world.admin.token,
          headers: { ...inWorld(world), 'user-agent': userAgent },
          json: { name: `Export ${randomUUID().slice(0, 6)}` },
        }),
        201,
        'create a project',
      );
    }
  }, 120_000);

  const asAdmin = async (path: string) =>
    stack.request({
      method: 'GET',
      path,
      token: world.admin.token,
      headers: { ...inWorld(world), ...(await caughtUp()) },
    });

  async function listedIn(query: string): Promise<Entry[]> {
    return bySequence(
      expectStatus(await asAdmin(`/v1/activity?limit=500${query}`), 200, 'list').body.data,
    );
  }

  it('exports a range as NDJSON and CSV that read back as the entries', async () => {
    const listed = await listedIn('');
    const since = listed[2].createdAt;
    const until = new Date(Date.now() + 60_000).toISOString();
    const range = `since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`;
    const expected = await listedIn(`&${range}`);
    expect(expected.length).toBeGreaterThan(5);

    const ndjson = expectStatus(
      await asAdmin(`/v1/activity/export?format=ndjson&${range}`),
      200,
      'export',
    );
    expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(ndjson.headers.get('content-disposition')).toMatch(
      /^attachment; filename=".+\.ndjson"$/,
    );
    const lines = (ndjson.body as string)
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(expected);

    const csv = expectStatus(
      await asAdmin(`/v1/activity/export?format=csv&${range}`),
      200,
      'export',
    );
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://example.com"",""x"")"`);
    expect(readCsvObjects(csv.body).map(auditEntryFromCsv)).toEqual(expected);
  });

  it('an export refused or malformed is an error envelope, not a file', async () => {
    const bad = await asAdmin('/v1/activity/export?format=xlsx');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toEqual(expect.any(String));
  });

  it('the chain verifies untouched, and names the entry edited in the database', async () => {
    const untouched = expectStatus(await asAdmin('/v1/activity/verify'), 200, 'verify').body
      .data as AuditChainVerification;
    const listed = await listedIn('');
    expect(untouched).toMatchObject({ valid: true, firstBrokenEntry: null });
    expect(untouched.checked).toBe(listed.length);

    const edited = listed[Math.floor(listed.length / 2)];
    await database.query(
      `UPDATE ${auditSchema}.audit_entries SET ip = '203.0.113.66' WHERE id = $1`,
      [edited.id],
    );
    const tampered = expectStatus(await asAdmin('/v1/activity/verify'), 200, 'verify').body
      .data as AuditChainVerification;
    expect(tampered).toMatchObject({
      valid: false,
      firstBrokenEntry: { id: edited.id, sequence: edited.sequence, reason: 'hash_mismatch' },
    });
    // A range that ends before the edit still verifies.
    const before = expectStatus(
      await asAdmin(`/v1/activity/verify?fromSequence=1&toSequence=${edited.sequence - 1}`),
      200,
      'verify a range',
    ).body.data as AuditChainVerification;
    expect(before).toMatchObject({ valid: true, checked: edited.sequence - 1 });
  });
});
