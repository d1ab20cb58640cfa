import type { INestMicroservice } from '@nestjs/common';
import {
  AUDIT_SUBJECTS,
  type AuditChainVerification,
  type AuditEntry,
  type Caller,
  type ServiceReply,
} from '@orgplane/contracts';
import { PostgresEventStore, type Position } from '@orgplane/event-store';
import { createLogger, ReadYourWritesClient } from '@orgplane/messaging';
import { ProjectionRunners } from '@orgplane/projections';
import {
  dropSchema,
  memberCaller,
  refusal,
  startNatsServer,
  testDatabaseUrl,
  uniqueSchemaName,
  type RunningNatsServer,
} from '@orgplane/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startAudit } from '../src/bootstrap';
import {
  apiKeyActor,
  keyHashOf,
  sealedValue,
  serviceEvents,
  systemActor,
  userActor,
  type EventContext,
  type StreamEvent,
} from '../src/audit-log/testing/service-events.fixture';

jest.setTimeout(120_000);

const url = testDatabaseUrl();
const eventStoreSchema = uniqueSchemaName('audit_int_events');
const readModelSchema = uniqueSchemaName('audit_int_read');
const entriesTable = `"${readModelSchema}".audit_entries`;

let nats: RunningNatsServer;
let service: INestMicroservice | null = null;
let store: PostgresEventStore;
let client: ReadYourWritesClient;
let sql: Client;

const start = () =>
  startAudit({
    NATS_URL: nats.url,
    DATABASE_URL: url,
    DATABASE_POOL_MAX: '6',
    EVENTSTORE_SCHEMA: eventStoreSchema,
    READ_MODEL_SCHEMA: readModelSchema,
    CONSISTENCY_WAIT_MS: '15000',
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '0',
  });

beforeAll(async () => {
  nats = await startNatsServer();
  store = await PostgresEventStore.create({
    connectionString: url,
    schema: eventStoreSchema,
    poolSize: 2,
  });
  sql = new Client({ connectionString: url });
  await sql.connect();
  service = await start();
  client = await ReadYourWritesClient.connect(
    nats.url,
    'audit-int-spec',
    createLogger('audit-int-spec', 'silent'),
  );
});

afterAll(async () => {
  await service?.close();
  await client?.close();
  await store?.close();
  await sql?.end();
  await nats?.stop();
  await dropSchema(url, readModelSchema);
  await dropSchema(url, eventStoreSchema);
});

/** Appends in order (consecutive events of one stream together); reads then wait for them. */
async function append(...events: StreamEvent[]): Promise<Position> {
  let position: Position | undefined;
  for (let index = 0; index < events.length;) {
    const { streamName } = events[index];
    const run: StreamEvent['event'][] = [];
    for (; index < events.length && events[index].streamName === streamName; index++) {
      run.push(events[index].event);
    }
    ({ position } = await store.append(streamName, run));
  }
  client.saw(position!);
  return position!;
}

const list = (query: Record<string, unknown>, as: Caller) =>
  client.request<AuditEntry[]>(AUDIT_SUBJECTS.listEntries, query, as);
const actionsOf = (reply: ServiceReply<AuditEntry[]>) => reply.data.map((entry) => entry.eventType);
const verify = (as: Caller, range: Record<string, number> = {}) =>
  client
    .request<AuditChainVerification>(AUDIT_SUBJECTS.verifyChain, range, as)
    .then((reply) => reply.data);

// --- one organization's story, and a second organization beside it ---
const at = () => new Date().toISOString();
const orgId = randomUUID();
const otherOrgId = randomUUID();
const adminId = randomUUID();
const memberId = randomUUID();
const keyId = randomUUID();
const secretId = randomUUID();
const invitationId = randomUUID();
const admin = memberCaller(adminId, orgId, 'admin');
const member = memberCaller(memberId, orgId, 'member');
const fromAdmin = (requestId: string): EventContext => ({
  orgId,
  actor: userActor(adminId),
  requestId,
  ip: '198.51.100.23',
  userAgent: 'Mozilla/5.0 (auditor test)',
});
const fromMember = (requestId?: string): EventContext => ({
  orgId,
  actor: userActor(memberId),
  requestId,
});

const removal = serviceEvents.organization(
  orgId,
  {
    type: 'MemberRemoved',
    data: {
      organizationId: orgId,
      userId: memberId,
      role: 'member',
      removedBy: adminId,
      removedAt: at(),
    },
  },
  fromAdmin('req_removal'),
);

const story: StreamEvent[] = [
  serviceEvents.user(
    adminId,
    {
      type: 'UserSignedUp',
      data: {
        userId: adminId,
        email: 'ada@example.com',
        provider: 'development',
        signedUpAt: at(),
      },
    },
    { orgId: null, actor: userActor(adminId) },
  ),
  serviceEvents.organization(
    orgId,
    {
      type: 'OrganizationCreated',
      data: {
        organizationId: orgId,
        name: 'Acme',
        slug: 'acme',
        plan: 'free',
        createdBy: adminId,
        createdAt: at(),
      },
    },
    fromAdmin('req_create'),
  ),
  serviceEvents.organization(
    orgId,
    {
      type: 'MemberJoined',
      data: { organizationId: orgId, userId: adminId, role: 'admin', joinedAt: at() },
    },
    fromAdmin('req_create'),
  ),
  serviceEvents.organization(
    orgId,
    {
      type: 'InvitationCreated',
      data: {
        organizationId: orgId,
        invitationId,
        email: 'bo@example.com',
        role: 'member',
        invitedBy: adminId,
        createdAt: at(),
        expiresAt: at(),
      },
    },
    fromAdmin('req_invite'),
  ),
  serviceEvents.organization(
    orgId,
    {
      type: 'InvitationAccepted',
      data: { organizationId: orgId, invitationId, userId: memberId, acceptedAt: at() },
    },
    fromMember('req_accept'),
  ),
  serviceEvents.organization(
    orgId,
    {
      type: 'MemberJoined',
      data: {
        organizationId: orgId,
        userId: memberId,
        role: 'member',
        joinedAt: at(),
        invitationId,
      },
    },
    fromMember('req_accept'),
  ),
  serviceEvents.organization(
    orgId,
    {
      type: 'MemberRoleChanged',
      data: {
        organizationId: orgId,
        userId: memberId,
        role: 'admin',
        previousRole: 'member',
        changedBy: adminId,
        changedAt: at(),
      },
    },
    fromAdmin('req_promote'),
  ),
  serviceEvents.organization(
    orgId,
    {
      type: 'MemberRoleChanged',
      data: {
        organizationId: orgId,
        userId: memberId,
        role: 'member',
        previousRole: 'admin',
        changedBy: adminId,
        changedAt: at(),
      },
    },
    fromAdmin('req_demote'),
  ),
  serviceEvents.apiKey(
    keyId,
    {
      type: 'ApiKeyCreated',
      data: {
        keyId,
        organizationId: orgId,
        ownerUserId: memberId,
        name: 'laptop',
        keyPrefix: 'rt_live_Zz99',
        keyHash: keyHashOf('the member key'),
        scopes: ['secret:reveal'],
        projectId: null,
        isTest: false,
        expiresAt: null,
        createdAt: at(),
      },
    },
    fromMember(),
  ),
  serviceEvents.secret(
    secretId,
    {
      type: 'SecretCreated',
      data: {
        secretId,
        organizationId: orgId,
        ownerUserId: memberId,
        name: 'GITHUB_TOKEN',
        category: 'provider',
        scope: 'all',
        description: null,
        version: 1,
        value: sealedValue(),
        createdBy: memberId,
        createdAt: at(),
      },
    },
    fromMember(),
  ),
  serviceEvents.secretAccess(
    secretId,
    {
      type: 'SecretRevealed',
      data: {
        secretId,
        organizationId: orgId,
        ownerUserId: memberId,
        name: 'GITHUB_TOKEN',
        version: 1,
        revealedBy: memberId,
        revealedAt: at(),
      },
    },
    { orgId, actor: apiKeyActor(keyId, memberId), requestId: 'req_reveal' },
  ),
  serviceEvents.organization(
    otherOrgId,
    {
      type: 'OrganizationCreated',
      data: {
        organizationId: otherOrgId,
        name: 'Other',
        slug: 'other',
        plan: 'free',
        createdBy: adminId,
        createdAt: at(),
      },
    },
    { orgId: otherOrgId, actor: userActor(adminId) },
  ),
  removal,
  serviceEvents.apiKey(
    keyId,
    {
      type: 'ApiKeyRevoked',
      data: {
        keyId,
        revokedBy: null,
        cause: { reason: 'member_removed', eventId: removal.event.id, eventType: 'MemberRemoved' },
        revokedAt: at(),
      },
    },
    {
      orgId,
      actor: systemActor('keys.member-removal'),
      requestId: 'req_removal',
      causationId: removal.event.id,
    },
  ),
];
/** the organization's entries, oldest first */
const storyActions = [
  'organization.created',
  'member.joined',
  'invitation.created',
  'invitation.accepted',
  'member.joined',
  'member.role_changed',
  'member.role_changed',
  'api_key.created',
  'secret.created',
  'secret.revealed',
  'member.removed',
  'api_key.revoked',
];

describe('the audit log', () => {
  beforeAll(() => append(...story));

  it('keeps one entry per organization event, chained per organization, with actor, request, client and cause', async () => {
    const reply = await list({}, admin);
    expect(actionsOf(reply)).toEqual([...storyActions].reverse());
    expect(reply.data.map((entry) => entry.sequence)).toEqual(
      storyActions.map((_, index) => storyActions.length - index),
    );
    expect(reply.page).toEqual({ hasMore: false, nextCursor: null });

    const byAction = (action: string) => reply.data.find((entry) => entry.eventType === action)!;
    expect(byAction('organization.created')).toMatchObject({
      orgId,
      actorType: 'user',
      actorUserId: adminId,
      requestId: 'req_create',
      ip: '198.51.100.23',
      userAgent: 'Mozilla/5.0 (auditor test)',
      resourceType: 'organization',
      resourceId: orgId,
      targets: [{ type: 'organization', id: orgId, name: 'Acme' }],
      attributes: { name: 'Acme', slug: 'acme', plan: 'free' },
      cause: null,
    });
    expect(reply.data.find((entry) => entry.requestId === 'req_promote')).toMatchObject({
      resourceType: 'member',
      resourceId: memberId,
      attributes: { previousRole: 'member', role: 'admin' },
      ip: '198.51.100.23',
    });
    expect(byAction('secret.revealed')).toMatchObject({
      actorType: 'api_key',
      actorApiKeyId: keyId,
      actorUserId: memberId,
      ip: null,
      userAgent: null,
      attributes: { name: 'GITHUB_TOKEN', version: 1 },
    });
    expect(byAction('api_key.revoked')).toMatchObject({
      actorType: 'system',
      actorSystemId: 'keys.member-removal',
      actorUserId: null,
      cause: { entryId: removal.event.id, action: 'member.removed' },
      attributes: { reason: 'member_removed' },
    });
    expect(JSON.stringify(reply.data)).not.toMatch(/ciphertext|keyHash/);

    const other = await list({}, memberCaller(adminId, otherOrgId, 'admin'));
    expect(other.data.map(({ eventType, sequence }) => [eventType, sequence])).toEqual([
      ['organization.created', 1],
    ]);
  });

  it('filters by actor, action (or prefix), target, request and time, in cursor pages', async () => {
    expect(actionsOf(await list({ actor_user_id: memberId }, admin))).toEqual([
      'secret.revealed',
      'secret.created',
      'api_key.created',
      'member.joined',
      'invitation.accepted',
    ]);
    expect(actionsOf(await list({ actor_api_key_id: keyId }, admin))).toEqual(['secret.revealed']);
    expect(actionsOf(await list({ actor_type: 'system' }, admin))).toEqual(['api_key.revoked']);
    expect(actionsOf(await list({ event_type: 'member.*' }, admin))).toEqual([
      'member.removed',
      'member.role_changed',
      'member.role_changed',
      'member.joined',
      'member.joined',
    ]);
    expect(
      actionsOf(await list({ event_type: 'api_key.revoked, secret.revealed' }, admin)),
    ).toEqual(['api_key.revoked', 'secret.revealed']);
    // as main target (the key's own entries) or another (the removal names the member only)
    expect(actionsOf(await list({ resource_type: 'api_key', resource_id: keyId }, admin))).toEqual([
      'api_key.revoked',
      'api_key.created',
    ]);
    expect(
      actionsOf(await list({ resource_type: 'member', resource_id: memberId }, admin)),
    ).toEqual([
      'member.removed',
      'secret.created',
      'api_key.created',
      'member.role_changed',
      'member.role_changed',
      'member.joined',
      'invitation.accepted',
    ]);
    expect(actionsOf(await list({ request_id: 'req_removal' }, admin))).toEqual([
      'api_key.revoked',
      'member.removed',
    ]);
    expect((await list({ until: '2000-01-01T00:00:00Z' }, admin)).data).toEqual([]);
    expect((await list({ since: '2000-01-01T00:00:00Z' }, admin)).data).toHaveLength(
      storyActions.length,
    );

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const reply = await list({ limit: 5, ...(cursor ? { cursor } : {}) }, admin);
      pages.push(actionsOf(reply));
      cursor = reply.page!.nextCursor ?? undefined;
    } while (cursor);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual([...storyActions].reverse());

    for (const query of [
      { cursor: 'bm9wZQ' },
      { event_type: 'member.**' },
      { resource_id: keyId },
      { limit: 501 },
    ]) {
      const error = await refusal(list(query, admin));
      expect(error.kind).toBe('validation');
    }
  });

  it('shows Members the entries they acted in, themselves or through their keys, and Admins everyone’s', async () => {
    expect(actionsOf(await list({}, member))).toEqual([
      'secret.revealed',
      'secret.created',
      'api_key.created',
      'member.joined',
      'invitation.accepted',
    ]);
    expect(
      actionsOf(await list({ actor_user_id: memberId, event_type: 'secret.*' }, member)),
    ).toEqual(['secret.revealed', 'secret.created']);
    const forbidden = await refusal(list({ actor_user_id: adminId }, member));
    expect([forbidden.kind, forbidden.code]).toEqual(['forbidden', 'forbidden']);
    const apiKeyCaller: Caller = {
      type: 'apiKey',
      keyId,
      userId: memberId,
      organizationId: orgId,
      role: 'member',
      scopes: ['activity:read'],
    };
    expect(actionsOf(await list({ event_type: 'secret.revealed' }, apiKeyCaller))).toEqual([
      'secret.revealed',
    ]);
    expect((await refusal(verify(member))).code).toBe('admin_required');
  });

  it('exports pages oldest first, with the same visibility', async () => {
    const exported: AuditEntry[] = [];
    let cursor: string | undefined;
    do {
      const reply = await client.request<AuditEntry[]>(
        AUDIT_SUBJECTS.exportPage,
        { limit: 4, since: '2000-01-01T00:00:00Z', ...(cursor ? { cursor } : {}) },
        admin,
      );
      exported.push(...reply.data);
      cursor = reply.page!.nextCursor ?? undefined;
    } while (cursor);
    expect(exported.map((entry) => entry.eventType)).toEqual(storyActions);
    const own = await client.request<AuditEntry[]>(AUDIT_SUBJECTS.exportPage, {}, member);
    expect(own.data.every((entry) => entry.actorUserId === memberId)).toBe(true);
    expect(
      (await refusal(client.request(AUDIT_SUBJECTS.exportPage, { limit: 5001 }, admin))).kind,
    ).toBe('validation');
  });

  it('continues each chain across a restart, and a rebuild gives the same entries and hashes', async () => {
    expect(await verify(admin)).toMatchObject({ valid: true, checked: storyActions.length });
    await service!.close();
    service = null;
    await append(
      serviceEvents.organization(
        orgId,
        {
          type: 'OrganizationRenamed',
          data: { organizationId: orgId, name: 'Acme Corp', renamedBy: adminId, renamedAt: at() },
        },
        fromAdmin('req_rename'),
      ),
    );
    service = await start();

    const [renamed] = (await list({ limit: 1 }, admin)).data;
    expect(renamed).toMatchObject({
      eventType: 'organization.renamed',
      sequence: storyActions.length + 1,
    });
    expect(await verify(admin)).toMatchObject({ valid: true, checked: storyActions.length + 1 });

    const rows = async () =>
      (await sql.query(`SELECT * FROM ${entriesTable} ORDER BY org_id, sequence`))
        .rows as unknown[];
    const before = await rows();
    await service.get(ProjectionRunners).get('audit_entries').rebuild();
    expect(await rows()).toEqual(before);
  });

  it('names an edited entry (hash_mismatch) and the entry after a deleted one (sequence_gap)', async () => {
    const [third] = (await list({ request_id: 'req_invite' }, admin)).data;
    expect(third.sequence).toBe(3);
    await sql.query(
      `UPDATE ${entriesTable} SET attributes = '{"email":"mallory@example.com","role":"admin"}' WHERE id = $1`,
      [third.id],
    );
    const edited = await verify(admin);
    expect(edited).toMatchObject({
      valid: false,
      checked: 3,
      firstBrokenEntry: {
        id: third.id,
        sequence: 3,
        reason: 'hash_mismatch',
        storedHash: third.hash,
      },
    });
    expect(edited.firstBrokenEntry!.expectedHash).not.toBe(third.hash);
    expect(await verify(admin, { fromSequence: 1, toSequence: 2 })).toMatchObject({
      valid: true,
      checked: 2,
    });

    await sql.query(`UPDATE ${entriesTable} SET attributes = $2 WHERE id = $1`, [
      third.id,
      JSON.stringify(third.attributes),
    ]);
    expect(await verify(admin)).toMatchObject({ valid: true });

    const { rows } = await sql.query(
      `DELETE FROM ${entriesTable} WHERE org_id = $1 AND sequence = 5 RETURNING hash`,
      [orgId],
    );
    const sixth = (await list({ request_id: 'req_promote' }, admin)).data[0];
    expect(await verify(admin)).toMatchObject({
      valid: false,
      firstBrokenEntry: {
        id: sixth.id,
        sequence: 6,
        reason: 'sequence_gap',
        storedHash: rows[0].hash,
      },
    });
    expect(await verify(admin, { fromSequence: 7 })).toMatchObject({ valid: true });
    expect((await refusal(verify(admin, { fromSequence: 9, toSequence: 8 }))).kind).toBe(
      'validation',
    );
  });
});
