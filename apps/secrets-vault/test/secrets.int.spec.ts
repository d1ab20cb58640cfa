import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { INestMicroservice } from '@nestjs/common';
import {
  organizationEvents,
  organizationStreamName,
  sealForVault,
  secretAccessStreamName,
  secretStreamName,
  SECRET_VALUE_MAX_BYTES,
  SECRETS_VAULT_SUBJECTS as SUBJECTS,
  type Caller,
  type OrganizationEvent,
  type OrganizationRole,
  type ResolvedSecretView,
  type RevealedSecretView,
  type SecretAccessView,
  type SecretUsage,
  type SecretVersionView,
  type SecretView,
  type TransportKeyView,
} from '@orgplane/contracts';
import { PostgresEventStore, type EventMetadata, type JsonObject } from '@orgplane/event-store';
import { createLogger, ReadYourWritesClient, SERVICE_LISTENING_MESSAGE } from '@orgplane/messaging';
import {
  dropSchema,
  startNatsServer,
  startServiceProcess,
  testDatabaseUrl,
  uniqueSchemaName,
  type RunningNatsServer,
  type ServiceProcess,
  memberCaller,
  refusal,
} from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { Client } from 'pg';
import { startSecretsVault } from '../src/bootstrap';
import { SecretDestruction, secretIdOf } from '../src/secrets';

jest.setTimeout(120_000);

const url = testDatabaseUrl();
const eventStoreSchema = uniqueSchemaName('vault_int_events');
const readModelSchema = uniqueSchemaName('vault_int_read');
const keyStoreSchema = uniqueSchemaName('vault_int_keys');
const membershipSchema = uniqueSchemaName('vault_int_membership');

/** Platform services allowed to resolve: the agent runner for agents, the tool hub for tools. */
const agentRunner = { service: 'agent-runner', token: randomBytes(24).toString('hex') };
const toolHub = { service: 'tool-hub', token: randomBytes(24).toString('hex') };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let nats: RunningNatsServer;
let membership: ServiceProcess;
let vault: INestMicroservice;
let store: PostgresEventStore;
let client: ReadYourWritesClient;
let transportKey: TransportKeyView;
/** every line the vault logged, at debug level */
const logLines: string[] = [];
/**
 * What anything else in this process wrote to stdout and stderr, where the vault runs too: a
 * console.log or a crash report that bypasses its logger.
 */
const processWrites = [jest.spyOn(process.stdout, 'write'), jest.spyOn(process.stderr, 'write')];
/** every value the tests stored: found nowhere but in reveal and resolve replies */
const values: string[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
  const env = {
    NATS_URL: nats.url,
    DATABASE_URL: url,
    EVENTSTORE_SCHEMA: eventStoreSchema,
    SHUTDOWN_GRACE_MS: '0',
  };
  membership = await startServiceProcess(
    'membership',
    { ...env, READ_MODEL_SCHEMA: membershipSchema, LOG_LEVEL: 'info' },
    { isReady: (line) => line.msg === SERVICE_LISTENING_MESSAGE },
  );
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  vault = await startSecretsVault(
    {
      ...env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATABASE_POOL_MAX: '5',
      READ_MODEL_SCHEMA: readModelSchema,
      KEY_STORE_SCHEMA: keyStoreSchema,
      SECRETS_MASTER_KEY: randomBytes(32).toString('base64'),
      SECRETS_RESOLVERS: [
        `${agentRunner.service}:agents:${sha256(agentRunner.token)}`,
        `${toolHub.service}:tools:${sha256(toolHub.token)}`,
      ].join(','),
    },
    logs,
  );
  store = await PostgresEventStore.create({
    connectionString: url,
    schema: eventStoreSchema,
    poolSize: 2,
  });
  client = await ReadYourWritesClient.connect(
    nats.url,
    'vault-int-spec',
    createLogger('vault-int-spec', 'silent'),
  );
  transportKey = (await client.request<TransportKeyView>(SUBJECTS.getTransportKey, {}, null)).data;
});

afterAll(async () => {
  await vault?.close();
  await membership?.stop();
  await client?.close();
  await store?.close();
  await nats?.stop();
  for (const schema of [readModelSchema, keyStoreSchema, membershipSchema, eventStoreSchema]) {
    await dropSchema(url, schema);
  }
});

function call<Data>(subject: string, payload: unknown, as: Caller | null) {
  return client.request<Data>(subject, payload, as);
}

/** A value no test uses twice, so a scan can look for it. */
function distinctive(label: string): string {
  const value = `${label}-${randomBytes(12).toString('hex')}`;
  values.push(value);
  return value;
}

/** What the gateway sends: the value sealed to the vault's transport key. */
function setSecret(as: Caller, name: string, value: string, settings: object = {}) {
  return call<SecretView>(
    SUBJECTS.setSecret,
    { name, sealedValue: sealForVault(value, transportKey), ...settings },
    as,
  );
}

async function reveal(as: Caller, name: string, options: object = {}): Promise<RevealedSecretView> {
  return (await call<RevealedSecretView>(SUBJECTS.revealSecret, { name, ...options }, as)).data;
}

async function list(as: Caller, filters: object = {}): Promise<SecretView[]> {
  return (await call<SecretView[]>(SUBJECTS.listSecrets, filters, as)).data;
}

function resolve(
  resolver: { service: string; token: string } | null,
  request: { organizationId: string; userId: string; name: string; usage: SecretUsage },
) {
  return client.request<ResolvedSecretView>(SUBJECTS.resolveSecret, request, null, {
    serviceCredential: resolver ? `${resolver.service}:${resolver.token}` : undefined,
  });
}

async function eventCount(): Promise<number> {
  return (await store.readAll()).length;
}

/** One statement on the test database, as someone with direct access would run it. */
async function sql<Row extends object>(text: string, params: unknown[] = []): Promise<Row[]> {
  const database = new Client({ connectionString: url });
  await database.connect();
  try {
    return (await database.query<Row>(text, params)).rows;
  } finally {
    await database.end();
  }
}

/** The rows of the key store's data keys and value keys: a write that seals adds to them. */
async function keyStoreRowCounts(): Promise<{ dataKeys: number; valueKeys: number }> {
  const [counts] = await sql<{ dataKeys: number; valueKeys: number }>(
    `SELECT (SELECT count(*)::int FROM "${keyStoreSchema}".data_keys) AS "dataKeys",
            (SELECT count(*)::int FROM "${keyStoreSchema}".value_keys) AS "valueKeys"`,
  );
  return counts;
}

function specMetadata(): EventMetadata {
  const id = newId();
  return {
    orgId: null,
    actor: { type: 'system', id: 'vault-int-spec' },
    requestId: id,
    correlationId: id,
    causationId: id,
  };
}

/** Membership's events, as the membership service would have appended them. */
async function membershipEvents(organizationId: string, events: OrganizationEvent[]) {
  for (const event of events) {
    const stored = organizationEvents.encode(event);
    const { position } = await store.append(organizationStreamName(organizationId), [
      { ...stored, data: stored.data as JsonObject, metadata: specMetadata() },
    ]);
    client.saw(position);
  }
}

/** An organization with an Admin (ada) and two Members (bob, cyd). */
async function organization() {
  const organizationId = newId();
  const [ada, bob, cyd] = [newId(), newId(), newId()];
  const at = new Date().toISOString();
  const joined = (userId: string, role: OrganizationRole): OrganizationEvent => ({
    type: 'MemberJoined',
    data: { organizationId, userId, role, joinedAt: at },
  });
  await membershipEvents(organizationId, [
    {
      type: 'OrganizationCreated',
      data: {
        organizationId,
        name: 'Acme',
        slug: `acme-${organizationId.slice(0, 8)}`,
        plan: 'free',
        createdBy: ada,
        createdAt: at,
      },
    },
    joined(ada, 'admin'),
    joined(bob, 'member'),
    joined(cyd, 'member'),
  ]);
  return {
    organizationId,
    ids: { ada, bob, cyd },
    ada: memberCaller(ada, organizationId, 'admin'),
    bob: memberCaller(bob, organizationId),
    cyd: memberCaller(cyd, organizationId),
    async membersMayReveal(allowed: boolean) {
      await membershipEvents(organizationId, [
        {
          type: 'OrganizationSettingsChanged',
          data: {
            organizationId,
            settings: { membersMayRevealOrgSecrets: allowed, allowPublicResources: true },
            changedBy: ada,
            changedAt: new Date().toISOString(),
          },
        },
      ]);
    },
  };
}

describe('a secret’s life', () => {
  it('is created with the reference’s defaults, under its normalized name', async () => {
    const acme = await organization();
    const value = distinctive('sk-openai');
    const reply = await setSecret(acme.bob, 'openai-key', value, { description: 'for agents' });
    expect(reply.message).toBe('Updated.');
    expect(reply.position).toBeDefined();
    expect(reply.data).toMatchObject({
      name: 'OPENAI_KEY',
      orgWide: false,
      ownerUserId: acme.ids.bob,
      category: 'provider',
      scope: 'all',
      description: 'for agents',
      version: 1,
      status: 'active',
      deletedAt: null,
    });
    const got = await call<SecretView>(SUBJECTS.getSecret, { name: 'Openai.Key' }, acme.bob);
    expect(got.data).toEqual(reply.data);
    expect(await list(acme.bob)).toEqual([reply.data]);
    expect(await reveal(acme.bob, 'openai-key')).toEqual({
      id: reply.data.id,
      name: 'OPENAI_KEY',
      orgWide: false,
      version: 1,
      value,
    });
  });

  it('rotates: settings given change, the others stay', async () => {
    const acme = await organization();
    await setSecret(acme.bob, 'TOKEN', distinctive('v1'), { category: 'tool', scope: 'tools' });
    const rotated = await setSecret(acme.bob, 'TOKEN', distinctive('v2'), { description: 'x' });
    expect(rotated.data).toMatchObject({
      category: 'tool',
      scope: 'tools',
      description: 'x',
      version: 2,
    });
    expect(await list(acme.bob, { category: 'tool' })).toHaveLength(1);
    expect(await list(acme.bob, { category: 'provider' })).toHaveLength(0);
  });

  it('lists by category and by scope, each alone or with the other filters', async () => {
    const acme = await organization();
    await setSecret(acme.bob, 'OPENAI', distinctive('openai'));
    await setSecret(acme.bob, 'GITHUB', distinctive('github'), {
      category: 'tool',
      scope: 'tools',
    });
    await setSecret(acme.bob, 'WEBHOOK', distinctive('hook'), {
      category: 'custom',
      scope: 'agents',
    });
    await setSecret(acme.ada, 'SLACK', distinctive('slack'), {
      orgWide: true,
      category: 'tool',
      scope: 'sandboxes',
    });
    const names = async (filters: object) =>
      (await list(acme.bob, filters)).map(({ name }) => name);

    expect(await names({})).toEqual(['GITHUB', 'OPENAI', 'SLACK', 'WEBHOOK']);
    expect(await names({ category: 'provider' })).toEqual(['OPENAI']);
    expect(await names({ category: 'tool' })).toEqual(['GITHUB', 'SLACK']);
    expect(await names({ category: 'tool', orgOnly: true })).toEqual(['SLACK']);
    expect(await names({ category: 'tool', userOnly: true })).toEqual(['GITHUB']);
    // A scope filter is the scope as stored: `all` is a scope of its own, not every scope.
    expect(await names({ scope: 'all' })).toEqual(['OPENAI']);
    expect(await names({ scope: 'tools' })).toEqual(['GITHUB']);
    expect(await names({ scope: 'sandboxes' })).toEqual(['SLACK']);
    expect(await names({ scope: 'agents', category: 'custom' })).toEqual(['WEBHOOK']);
    expect(await names({ scope: 'agents', category: 'tool' })).toEqual([]);
    // Bob's filters never show cyd's secrets; an Admin's `all=true` does, filtered as well.
    await setSecret(acme.cyd, 'CYDS_TOOL', distinctive('cyd'), { scope: 'tools' });
    expect(await names({ scope: 'tools' })).toEqual(['GITHUB']);
    expect((await list(acme.ada, { all: true, scope: 'tools' })).map(({ name }) => name)).toEqual([
      'CYDS_TOOL',
      'GITHUB',
    ]);

    for (const [field, value] of [
      ['category', 'password'],
      ['scope', 'everywhere'],
      ['scope', ''],
    ]) {
      const error = await refusal(list(acme.bob, { [field]: value }));
      expect(error.kind).toBe('validation');
      expect(error.details).toEqual({ fields: { [field]: [expect.any(String)] } });
    }
  });

  it('keeps the last ten of twelve versions', async () => {
    const acme = await organization();
    const written: string[] = [];
    for (let version = 1; version <= 12; version++) {
      written.push(distinctive(`v${version}`));
      await setSecret(acme.bob, 'ROTATING', written[version - 1]);
    }
    const versions = await call<SecretVersionView[]>(
      SUBJECTS.listSecretVersions,
      { name: 'rotating' },
      acme.bob,
    );
    expect(versions.data.map((version) => version.version)).toEqual([
      12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
    ]);
    expect(versions.data.map((version) => version.current)).toEqual([
      true,
      ...Array(9).fill(false),
    ]);
    expect((await refusal(reveal(acme.bob, 'ROTATING', { version: 1 }))).code).toBe(
      'version_not_found',
    );
    expect((await reveal(acme.bob, 'ROTATING', { version: 3 })).value).toBe(written[2]);
    expect((await reveal(acme.bob, 'ROTATING')).value).toBe(written[11]);

    const page = await call<SecretVersionView[]>(
      SUBJECTS.listSecretVersions,
      { name: 'ROTATING', limit: 4 },
      acme.bob,
    );
    expect(page.data.map((version) => version.version)).toEqual([12, 11, 10, 9]);
    const next = await call<SecretVersionView[]>(
      SUBJECTS.listSecretVersions,
      { name: 'ROTATING', limit: 4, cursor: page.page!.nextCursor },
      acme.bob,
    );
    expect(next.data.map((version) => version.version)).toEqual([8, 7, 6, 5]);
  });

  it('is deleted softly, undeleted until destroyed, then gone and its name free', async () => {
    const acme = await organization();
    const first = distinctive('first');
    await setSecret(acme.bob, 'DEPLOY', first);
    await setSecret(acme.bob, 'DEPLOY', distinctive('second'));

    const deleted = await call<SecretView>(SUBJECTS.deleteSecret, { name: 'DEPLOY' }, acme.bob);
    expect(deleted.data).toMatchObject({ status: 'deleted', version: 2 });
    expect(await list(acme.bob)).toEqual([]);
    expect((await list(acme.bob, { deleted: true })).map((secret) => secret.name)).toEqual([
      'DEPLOY',
    ]);
    expect((await refusal(reveal(acme.bob, 'DEPLOY'))).code).toBe('not_found');
    expect((await refusal(setSecret(acme.bob, 'DEPLOY', distinctive('x')))).code).toBe(
      'secret_deleted',
    );

    const before = await eventCount();
    const again = await call<SecretView>(SUBJECTS.deleteSecret, { name: 'DEPLOY' }, acme.bob);
    expect(again.position).toBeUndefined();
    await call(SUBJECTS.undeleteSecret, { name: 'DEPLOY' }, acme.bob);
    const active = await call<SecretView>(SUBJECTS.undeleteSecret, { name: 'DEPLOY' }, acme.bob);
    expect(active.position).toBeUndefined();
    expect(await eventCount()).toBe(before + 1);
    expect((await reveal(acme.bob, 'DEPLOY', { version: 1 })).value).toBe(first);

    await call(SUBJECTS.deleteSecret, { name: 'DEPLOY' }, acme.bob);
    const destroyed = await call(SUBJECTS.destroySecret, { name: 'DEPLOY' }, acme.bob);
    expect(destroyed.data).toMatchObject({ name: 'DEPLOY', destroyed: true });
    expect((await refusal(reveal(acme.bob, 'DEPLOY'))).code).toBe('not_found');
    expect((await refusal(call(SUBJECTS.getSecret, { name: 'DEPLOY' }, acme.bob))).code).toBe(
      'not_found',
    );
    expect((await refusal(call(SUBJECTS.undeleteSecret, { name: 'DEPLOY' }, acme.bob))).code).toBe(
      'not_found',
    );
    expect(await list(acme.bob, { deleted: true })).toEqual([]);
    // Destroying again records nothing (and deletes the value keys again, harmlessly).
    expect((await call(SUBJECTS.destroySecret, { name: 'DEPLOY' }, acme.bob)).position).toBe(
      undefined,
    );

    const reborn = distinctive('reborn');
    const created = await setSecret(acme.bob, 'DEPLOY', reborn);
    expect(created.data).toMatchObject({ version: 3, status: 'active' });
    expect((await reveal(acme.bob, 'DEPLOY')).value).toBe(reborn);
    expect(
      (await call<SecretVersionView[]>(SUBJECTS.listSecretVersions, { name: 'DEPLOY' }, acme.bob))
        .data,
    ).toHaveLength(1);
  });
});

describe('who may do what', () => {
  it('keeps a private secret its owner’s alone, Admins included', async () => {
    const acme = await organization();
    const value = distinctive('bobs-own');
    const bobs = (await setSecret(acme.bob, 'MINE', value)).data;
    for (const other of [acme.cyd, acme.ada]) {
      expect(await list(other)).toEqual([]);
      expect((await refusal(reveal(other, 'MINE'))).code).toBe('not_found');
      expect((await refusal(call(SUBJECTS.getSecret, { name: 'MINE' }, other))).code).toBe(
        'not_found',
      );
      expect((await refusal(call(SUBJECTS.deleteSecret, { name: 'MINE' }, other))).code).toBe(
        'not_found',
      );
      expect((await refusal(call(SUBJECTS.listSecretVersions, { name: 'MINE' }, other))).code).toBe(
        'not_found',
      );
    }
    // Another member writing the name writes their own secret, not bob's.
    const cyds = (await setSecret(acme.cyd, 'MINE', distinctive('cyds-own'))).data;
    expect(cyds.id).not.toBe(bobs.id);
    expect((await reveal(acme.bob, 'MINE')).value).toBe(value);

    // all=true: every member's metadata for Admins, never values; a Member is refused.
    const everyone = await list(acme.ada, { all: true });
    expect(everyone.map((secret) => secret.ownerUserId).sort()).toEqual(
      [acme.ids.bob, acme.ids.cyd].sort(),
    );
    expect(JSON.stringify(everyone)).not.toContain(value);
    expect((await refusal(list(acme.bob, { all: true }))).code).toBe('admin_required');
  });

  it('lets Admins alone write org-shared secrets, and every member see them', async () => {
    const acme = await organization();
    expect(
      (await refusal(setSecret(acme.bob, 'SHARED', distinctive('x'), { orgWide: true }))).code,
    ).toBe('admin_required');
    const value = distinctive('shared');
    const shared = (await setSecret(acme.ada, 'SHARED', value, { orgWide: true })).data;
    expect(shared).toMatchObject({ orgWide: true, ownerUserId: null });
    await setSecret(acme.bob, 'BOBS', distinctive('bobs'));

    expect((await list(acme.bob)).map((secret) => secret.name)).toEqual(['BOBS', 'SHARED']);
    expect((await list(acme.bob, { orgOnly: true })).map((secret) => secret.name)).toEqual([
      'SHARED',
    ]);
    expect((await list(acme.bob, { userOnly: true })).map((secret) => secret.name)).toEqual([
      'BOBS',
    ]);
    expect((await refusal(list(acme.bob, { userOnly: true, orgOnly: true }))).kind).toBe(
      'validation',
    );
    expect(
      (await call<SecretView>(SUBJECTS.getSecret, { name: 'shared', orgWide: true }, acme.cyd)).data
        .id,
    ).toBe(shared.id);

    for (const subject of [SUBJECTS.deleteSecret, SUBJECTS.destroySecret]) {
      expect((await refusal(call(subject, { name: 'SHARED', orgWide: true }, acme.bob))).code).toBe(
        'admin_required',
      );
    }
    expect(
      (await refusal(call(SUBJECTS.listSecretAccess, { name: 'SHARED', orgWide: true }, acme.bob)))
        .code,
    ).toBe('admin_required');

    await call(SUBJECTS.deleteSecret, { name: 'SHARED', orgWide: true }, acme.ada);
    expect((await list(acme.bob, { deleted: true })).map((secret) => secret.name)).toEqual([]);
    expect((await list(acme.ada, { deleted: true })).map((secret) => secret.name)).toEqual([
      'SHARED',
    ]);
    expect((await refusal(list(acme.bob, { deleted: true, orgOnly: true }))).code).toBe(
      'admin_required',
    );
    await call(SUBJECTS.undeleteSecret, { name: 'SHARED', orgWide: true }, acme.ada);
    expect((await reveal(acme.ada, 'SHARED', { orgWide: true })).value).toBe(value);
  });

  it('lets Members reveal org-shared secrets only when the policy says so', async () => {
    const acme = await organization();
    const value = distinctive('policy');
    await setSecret(acme.ada, 'SHARED', value, { orgWide: true });
    expect((await refusal(reveal(acme.bob, 'SHARED', { orgWide: true }))).code).toBe(
      'reveal_not_allowed',
    );
    await acme.membersMayReveal(true);
    expect((await reveal(acme.bob, 'SHARED', { orgWide: true })).value).toBe(value);
    await acme.membersMayReveal(false);
    expect((await refusal(reveal(acme.bob, 'SHARED', { orgWide: true }))).code).toBe(
      'reveal_not_allowed',
    );
  });

  it('records every reveal once, naming who revealed it, before the value leaves', async () => {
    const acme = await organization();
    const secret = (await setSecret(acme.ada, 'AUDITED', distinctive('a'), { orgWide: true })).data;
    const accessStream = secretAccessStreamName(secret.id);
    const apiKeyId = newId();
    const adaKey: Caller = {
      type: 'apiKey',
      keyId: apiKeyId,
      userId: acme.ids.ada,
      organizationId: acme.organizationId,
      role: 'admin',
      scopes: ['*'],
    };
    await reveal(acme.ada, 'AUDITED', { orgWide: true });
    await reveal(adaKey, 'AUDITED', { orgWide: true });
    await refusal(reveal(acme.bob, 'AUDITED', { orgWide: true }));

    const recorded = await store.readStream(accessStream);
    expect(recorded.map((event) => event.type)).toEqual(['SecretRevealed', 'SecretRevealed']);
    expect(recorded.map((event) => event.metadata.actor)).toEqual([
      { type: 'user', id: acme.ids.ada },
      { type: 'api_key', id: apiKeyId, userId: acme.ids.ada },
    ]);
    expect(recorded[0].data).toMatchObject({
      name: 'AUDITED',
      version: 1,
      revealedBy: acme.ids.ada,
    });

    const log = await call<SecretAccessView[]>(
      SUBJECTS.listSecretAccess,
      { name: 'AUDITED', orgWide: true },
      acme.ada,
    );
    expect(log.data.map(({ kind, userId, apiKeyId }) => ({ kind, userId, apiKeyId }))).toEqual([
      { kind: 'revealed', userId: acme.ids.ada, apiKeyId },
      { kind: 'revealed', userId: acme.ids.ada, apiKeyId: null },
    ]);
    expect(log.data[0].requestId).toMatch(/^req_/);
  });
});

describe('value keys', () => {
  /** The versions of a secret whose value keys the key store still holds. */
  async function versionsWithKeys(secretId: string): Promise<number[]> {
    const rows = await sql<{ version: number }>(
      `SELECT DISTINCT version FROM "${keyStoreSchema}".value_keys WHERE secret_id = $1 ORDER BY version`,
      [secretId],
    );
    return rows.map((row) => row.version);
  }

  it('seals each of concurrent writes for the version it gets', async () => {
    const acme = await organization();
    const written = [distinctive('race-a'), distinctive('race-b'), distinctive('race-c')];
    const replies = await Promise.all(written.map((value) => setSecret(acme.bob, 'RACE', value)));
    expect(replies.map((reply) => reply.data.version).sort()).toEqual([1, 2, 3]);
    const revealed = await Promise.all(
      [1, 2, 3].map(async (version) => (await reveal(acme.bob, 'RACE', { version })).value),
    );
    expect(revealed.sort()).toEqual([...written].sort());
  });

  it('deletes the keys of retired versions, and of every version on destroy', async () => {
    const acme = await organization();
    for (let version = 1; version <= 11; version++) {
      await setSecret(acme.bob, 'KEYS', distinctive(`k${version}`));
    }
    const secretId = secretIdOf(acme.organizationId, acme.ids.bob, 'KEYS');
    expect(await versionsWithKeys(secretId)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await call(SUBJECTS.destroySecret, { name: 'KEYS' }, acme.bob);
    expect(await versionsWithKeys(secretId)).toEqual([]);
  });

  it('lets a reaction destroy a secret naming its cause, and finish a destroy cut short', async () => {
    const acme = await organization();
    await setSecret(acme.bob, 'LEAVING', distinctive('leaving'));
    const secretId = secretIdOf(acme.organizationId, acme.ids.bob, 'LEAVING');
    const cause = {
      reason: 'member_removed',
      eventId: newId(),
      eventType: 'MemberRemoved',
    } as const;
    // A crash right after the append: the event is there, the value key is not deleted yet.
    const { position } = await store.append(secretStreamName(secretId), [
      {
        type: 'SecretDestroyed',
        schemaVersion: 1,
        data: {
          secretId,
          destroyedVersions: [1],
          destroyedBy: null,
          cause,
          destroyedAt: new Date().toISOString(),
        },
        metadata: specMetadata(),
      },
    ]);
    client.saw(position);
    expect(await versionsWithKeys(secretId)).toEqual([1]);

    const destruction = vault.get(SecretDestruction);
    expect(await destruction.destroyFor(secretId, cause, specMetadata())).toEqual({
      destroyed: false,
    });
    expect(await versionsWithKeys(secretId)).toEqual([]);
    expect((await refusal(reveal(acme.bob, 'LEAVING'))).code).toBe('not_found');

    await setSecret(acme.bob, 'LEAVING', distinctive('back'));
    expect(await destruction.destroyFor(secretId, cause, specMetadata())).toEqual({
      destroyed: true,
    });
    const destroyed = (await store.readStream(secretStreamName(secretId))).at(-1)!;
    expect(destroyed.data).toMatchObject({ destroyedVersions: [2], destroyedBy: null, cause });
    expect(await versionsWithKeys(secretId)).toEqual([]);
  });
});

describe('bad input', () => {
  it('is a 400 that writes nothing, in the event store or the key store', async () => {
    // An organization that has a data key already, and one that has none yet: a bad write must
    // neither seal a value under the first nor make a key for the second.
    const acme = await organization();
    const other = await organization();
    await setSecret(other.bob, 'KEYED', distinctive('keyed'));
    const before = await eventCount();
    const keysBefore = await keyStoreRowCounts();
    const refused = async (request: Promise<unknown>) => {
      const error = await refusal(request);
      expect(error.kind).toBe('validation');
      return error;
    };
    await refused(setSecret(acme.bob, 'EMPTY', ''));
    const oversize = await refused(
      setSecret(acme.bob, 'BIG', 'x'.repeat(SECRET_VALUE_MAX_BYTES + 1)),
    );
    expect(oversize.details).toEqual({ fields: { value: [expect.stringMatching(/at most/)] } });
    // 64 KiB of two-byte characters is 128 KiB of UTF-8.
    await refused(setSecret(acme.bob, 'WIDE', 'é'.repeat(SECRET_VALUE_MAX_BYTES / 2 + 1)));
    const nothing = await refused(setSecret(acme.bob, '-_-', distinctive('n')));
    expect(nothing.code).toBe('invalid_name');
    expect(nothing.message).toMatch(/normalizes to nothing/);
    expect(nothing.details).toEqual({ fields: { name: [nothing.message] } });
    expect((await refused(setSecret(acme.bob, 'A$B', distinctive('n')))).code).toBe('invalid_name');
    await refused(setSecret(acme.bob, 'X', distinctive('n'), { category: 'weird' }));
    await refused(setSecret(acme.bob, 'X', distinctive('n'), { scope: 'everywhere' }));
    await refused(call(SUBJECTS.revealSecret, { name: '...' }, acme.bob));
    const tampered = { ...sealForVault('tampered', transportKey), tag: 'AAAAAAAAAAAAAAAAAAAAAA==' };
    await refused(call(SUBJECTS.setSecret, { name: 'T', sealedValue: tampered }, acme.bob));
    await refused(setSecret(other.bob, 'KEYED', ''));
    await refused(setSecret(other.bob, '***', distinctive('n')));
    await refused(setSecret(other.bob, 'KEYED', distinctive('n'), { scope: 'everywhere' }));
    await refused(list(acme.bob, { category: 'password' }));
    await refused(list(acme.bob, { scope: 'everywhere' }));
    expect(await eventCount()).toBe(before);
    expect(await keyStoreRowCounts()).toEqual(keysBefore);
  });
});

describe('resolution for platform services', () => {
  const request = (acme: { organizationId: string }, userId: string, usage: SecretUsage) => ({
    organizationId: acme.organizationId,
    userId,
    name: 'llm-key',
    usage,
  });

  it('prefers the user’s own secret, when its scope fits the usage', async () => {
    const acme = await organization();
    const shared = distinctive('org-llm');
    const bobs = distinctive('bob-llm');
    await setSecret(acme.ada, 'LLM_KEY', shared, { orgWide: true });
    await setSecret(acme.bob, 'LLM_KEY', bobs, { scope: 'tools' });

    const forTools = await resolve(toolHub, request(acme, acme.ids.bob, 'tools'));
    expect(forTools.data).toMatchObject({ name: 'LLM_KEY', source: 'user', value: bobs });
    // bob's secret is scoped to tools: an agent run falls through to the org-shared one.
    const forAgents = await resolve(agentRunner, request(acme, acme.ids.bob, 'agents'));
    expect(forAgents.data).toMatchObject({ source: 'organization', value: shared, version: 1 });
    const forCyd = await resolve(toolHub, request(acme, acme.ids.cyd, 'tools'));
    expect(forCyd.data).toMatchObject({ source: 'organization', value: shared });

    const bobsStream = secretAccessStreamName(
      secretIdOf(acme.organizationId, acme.ids.bob, 'LLM_KEY'),
    );
    const sharedStream = secretAccessStreamName(secretIdOf(acme.organizationId, null, 'LLM_KEY'));
    const bobsAccess = await store.readStream(bobsStream);
    expect(bobsAccess).toHaveLength(1);
    expect(bobsAccess[0].metadata.actor).toEqual({ type: 'system', id: 'tool-hub' });
    expect(bobsAccess[0].data).toMatchObject({
      forUserId: acme.ids.bob,
      resolver: 'tool-hub',
      usage: 'tools',
      version: 1,
    });
    const sharedAccess = await store.readStream(sharedStream);
    expect(sharedAccess.map((event) => event.metadata.actor.id)).toEqual([
      'agent-runner',
      'tool-hub',
    ]);

    const log = await call<SecretAccessView[]>(
      SUBJECTS.listSecretAccess,
      { name: 'LLM_KEY' },
      acme.bob,
    );
    expect(log.data).toMatchObject([
      { kind: 'resolved', resolver: 'tool-hub', userId: acme.ids.bob },
    ]);
  });

  it('refuses services it does not know, or for a usage they are not registered for', async () => {
    const acme = await organization();
    await setSecret(acme.ada, 'LLM_KEY', distinctive('org-llm'), { orgWide: true });
    const before = await eventCount();
    for (const [resolver, usage] of [
      [null, 'tools'],
      [{ service: 'tool-hub', token: 'wrong' }, 'tools'],
      [{ service: 'stranger', token: toolHub.token }, 'tools'],
      [toolHub, 'agents'],
    ] as const) {
      const error = await refusal(resolve(resolver, request(acme, acme.ids.bob, usage)));
      expect(error.code).toBe('resolver_not_authorized');
    }
    expect(await eventCount()).toBe(before);
  });

  it('finds nothing for a user who is not a member, or a secret not there', async () => {
    const acme = await organization();
    await setSecret(acme.ada, 'LLM_KEY', distinctive('org-llm'), { orgWide: true });
    const stranger = newId();
    expect((await refusal(resolve(toolHub, request(acme, stranger, 'tools')))).code).toBe(
      'not_found',
    );
    const unknown = { ...request(acme, acme.ids.bob, 'tools'), name: 'NOPE' };
    expect((await refusal(resolve(toolHub, unknown))).code).toBe('not_found');
    await call(SUBJECTS.deleteSecret, { name: 'LLM_KEY', orgWide: true }, acme.ada);
    expect((await refusal(resolve(toolHub, request(acme, acme.ids.bob, 'tools')))).code).toBe(
      'not_found',
    );
  });
});

describe('no plaintext at rest', () => {
  it('finds no value in the event store, the read models, the logs or anything else printed', async () => {
    expect(values.length).toBeGreaterThan(20);
    const tables = await sql<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_schema = ANY($1)`,
      [[eventStoreSchema, readModelSchema, keyStoreSchema]],
    );
    expect(tables.length).toBeGreaterThan(3);
    for (const { schema, name } of tables) {
      const dump = JSON.stringify(await sql(`SELECT * FROM "${schema}"."${name}"`));
      for (const value of values) expect(dump).not.toContain(value);
    }
    const logs = logLines.join('');
    expect(logs).toContain('Request handled');
    const printed = [
      ...processWrites.flatMap((write) => write.mock.calls.map(([chunk]) => String(chunk))),
      membership.stdout.text,
      membership.stderr.text,
    ].join('');
    expect(membership.stdout.text).toContain(SERVICE_LISTENING_MESSAGE);
    expect([membership.stdout.dropped, membership.stderr.dropped]).toEqual([0, 0]);
    const found = (text: string) => values.filter((value) => text.includes(value));
    expect({ logs: found(logs), printed: found(printed) }).toEqual({ logs: [], printed: [] });
  });
});
