import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestMicroservice } from '@nestjs/common';
import {
  apiKeysChangedMessageSchema,
  apiKeyPrefix,
  apiKeyStreamName,
  defaultProjectIdOf,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  KEYS_SUBJECTS as SUBJECTS,
  keyEvents,
  organizationEvents,
  organizationStreamName,
  projectStreamName,
  resourceEvents,
  sshKeyStreamName,
  STORE_KEY_MESSAGE,
  userEvents,
  userStreamName,
  type ApiKeyAuthView,
  type ApiKeysChangedMessage,
  type ApiKeyView,
  type ApiKeyWithSecretView,
  type Caller,
  type EventCatalog,
  type OrganizationEvent,
  type ServiceReply,
  type SshKeyDeletedView,
  type SshKeyView,
} from '@orgplane/contracts';
import { PostgresEventStore, type EventMetadata, type JsonObject } from '@orgplane/event-store';
import { createLogger, NatsBroadcast, ReadYourWritesClient } from '@orgplane/messaging';
import {
  dropSchema,
  ecdsaLine,
  ed25519Line,
  eventually,
  memberCaller,
  refusal,
  rsaLine,
  type RunningNatsServer,
  startNatsServer,
  testDatabaseUrl,
  uniqueSchemaName,
} from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { Client } from 'pg';
import { parseSshPublicKey, SSH_KEY_PROBLEMS, sshKeyIdOf } from '@orgplane/keys-domain';
import { ProjectionRunners } from '@orgplane/projections';
import { startKeys } from '../src/bootstrap';

jest.setTimeout(60_000);

const url = testDatabaseUrl();
const eventStoreSchema = uniqueSchemaName('keys_int_events');
const readModelSchema = uniqueSchemaName('keys_int_read');

let nats: RunningNatsServer;
let service: INestMicroservice;
let store: PostgresEventStore;
let client: ReadYourWritesClient;
let gateway: NatsBroadcast;
const changes: ApiKeysChangedMessage[] = [];
/** every line the service logged, at debug level */
const logLines: string[] = [];
/** every key the service handed out, and every other secret the tests made */
const secrets: string[] = [];
/** what the tests pasted and the service refused: stored and logged nowhere either */
const refusedInputs: string[] = [];

function start(): Promise<INestMicroservice> {
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  return startKeys(
    {
      NATS_URL: nats.url,
      DATABASE_URL: url,
      DATABASE_POOL_MAX: '5',
      EVENTSTORE_SCHEMA: eventStoreSchema,
      READ_MODEL_SCHEMA: readModelSchema,
      LOG_LEVEL: 'debug',
      SHUTDOWN_GRACE_MS: '0',
    },
    logs,
  );
}

beforeAll(async () => {
  nats = await startNatsServer();
  service = await start();
  store = await PostgresEventStore.create({
    connectionString: url,
    schema: eventStoreSchema,
    poolSize: 2,
  });
  client = await ReadYourWritesClient.connect(
    nats.url,
    'keys-int-spec',
    createLogger('keys-int-spec', 'silent'),
  );
  // What a gateway instance does to keep its key cache fresh, and to report uses.
  gateway = await NatsBroadcast.connect({
    natsUrl: nats.url,
    name: 'keys-int-gateway',
    logger: createLogger('keys-int', 'silent'),
  });
  gateway.subscribe(SUBJECTS.apiKeysChanged, apiKeysChangedMessageSchema, (message) =>
    changes.push(message),
  );
  await gateway.connection.flush();
});

afterAll(async () => {
  await service?.close();
  await client?.close();
  await gateway?.close();
  await store?.close();
  await nats?.stop();
  await dropSchema(url, readModelSchema);
  await dropSchema(url, eventStoreSchema);
});

function call<Data>(subject: string, payload: unknown, as: Caller | null) {
  return client.request<Data>(subject, payload, as);
}

async function createKey(
  as: Caller,
  payload: Record<string, unknown> = {},
): Promise<ApiKeyWithSecretView> {
  const reply = await call<ApiKeyWithSecretView>(
    SUBJECTS.createApiKey,
    { name: 'CI', ...payload },
    as,
  );
  secrets.push(reply.data.key);
  return reply.data;
}

async function getKey(keyId: string, as: Caller): Promise<ApiKeyView> {
  return (await call<ApiKeyView>(SUBJECTS.getApiKey, { keyId }, as)).data;
}

function resolve(key: string): Promise<ServiceReply<ApiKeyAuthView>> {
  return call<ApiKeyAuthView>(SUBJECTS.resolveApiKey, { keyHash: hashApiKey(key) }, null);
}

async function addSshKey(as: Caller, publicKey: string, name = 'laptop'): Promise<SshKeyView> {
  return (await call<SshKeyView>(SUBJECTS.addSshKey, { name, publicKey }, as)).data;
}

function specMetadata(): EventMetadata {
  const id = newId();
  return {
    orgId: null,
    actor: { type: 'system', id: 'keys-int-spec' },
    requestId: id,
    correlationId: id,
    causationId: id,
  };
}

/** Events the service did not write itself (another service's, or from the past); their id. */
async function append<Event extends { type: string; data: unknown }>(
  codec: EventCatalog<Event>,
  streamName: string,
  event: Event,
): Promise<string> {
  const id = newId();
  const stored = codec.encode(event);
  const { position } = await store.append(streamName, [
    { id, ...stored, data: stored.data as JsonObject, metadata: specMetadata() },
  ]);
  client.saw(position);
  return id;
}

function membershipEvent(organizationId: string, event: OrganizationEvent): Promise<string> {
  return append(organizationEvents, organizationStreamName(organizationId), event);
}

/** A project the resources service created in the organization; its id. */
async function createdProject(organizationId: string): Promise<string> {
  const projectId = newId();
  await append(resourceEvents, projectStreamName(projectId), {
    type: 'ProjectCreated',
    data: {
      projectId,
      organizationId,
      name: 'Project',
      color: null,
      isDefault: false,
      createdBy: newId(),
      createdAt: new Date().toISOString(),
    },
  });
  return projectId;
}

/** The resources service deletes the project: what it grouped goes to the default project. */
async function deleteProject(organizationId: string, projectId: string): Promise<void> {
  await append(resourceEvents, projectStreamName(projectId), {
    type: 'ProjectDeleted',
    data: {
      projectId,
      organizationId,
      defaultProjectId: defaultProjectIdOf(organizationId),
      deletedBy: newId(),
      deletedAt: new Date().toISOString(),
    },
  });
}

function removed(organizationId: string, userId: string): Promise<string> {
  return membershipEvent(organizationId, {
    type: 'MemberRemoved',
    data: {
      organizationId,
      userId,
      role: 'member',
      removedBy: newId(),
      removedAt: new Date().toISOString(),
    },
  });
}

/** Every item of a list, page after page, and the pages' sizes. */
async function walk<Item>(
  fetchPage: (cursor: string | undefined) => Promise<ServiceReply<Item[]>>,
): Promise<{ items: Item[]; sizes: number[] }> {
  const items: Item[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { data, page } = await fetchPage(cursor);
    items.push(...data);
    sizes.push(data.length);
    if (!page!.hasMore) {
      expect(page!.nextCursor).toBeNull();
      return { items, sizes };
    }
    cursor = page!.nextCursor!;
  }
}

async function eventCount(): Promise<number> {
  return (await store.readAll()).length;
}

async function streamEvents(streamName: string) {
  return store.readStream(streamName);
}

function announced(hash: string): boolean {
  return changes.some((message) => message.keyHashes.includes(hash));
}

const organizationA = newId();
const organizationB = newId();
const ada = newId();
const bob = newId();
const cyd = newId();
const adaInA = memberCaller(ada, organizationA, 'admin');
const bobInA = memberCaller(bob, organizationA);
const cydInA = memberCaller(cyd, organizationA);
const bobInB = memberCaller(bob, organizationB, 'admin');

describe('API keys', () => {
  beforeAll(async () => {
    await append(userEvents, userStreamName(bob), {
      type: 'UserSignedUp',
      data: {
        userId: bob,
        email: 'bob@example.com',
        emailVerified: true,
        firstName: 'Bob',
        lastName: 'Byte',
        provider: 'development',
        signedUpAt: new Date().toISOString(),
      },
    });
  });

  it('creates a key, shows it once with the store-it message, and keeps only its hash', async () => {
    const reply = await call<ApiKeyWithSecretView>(
      SUBJECTS.createApiKey,
      {
        name: '  Deploys ',
        scopes: ['sandbox:read', 'agent:run', 'sandbox:read'],
        expiresIn: '30d',
      },
      bobInA,
    );
    const created = reply.data;
    secrets.push(created.key);
    expect(reply.message).toBe(STORE_KEY_MESSAGE);
    expect(reply.position).toMatch(/^\d+:\d+$/);
    expect(isWellFormedApiKey(created.key)).toBe(true);
    expect(created.key.startsWith('rt_live_')).toBe(true);
    expect(created).toMatchObject({
      name: 'Deploys',
      keyPrefix: created.key.slice(0, 12),
      scopes: ['sandbox:read', 'agent:run'],
      projectId: null,
      isTest: false,
      lastUsedAt: null,
      revokedAt: null,
      status: 'active',
      ownerUserId: bob,
      ownerDisplayName: 'Bob Byte',
      ownerEmail: 'bob@example.com',
    });
    const days = (Date.parse(created.expiresAt!) - Date.parse(created.createdAt)) / 86_400_000;
    expect(days).toBe(30);

    const { key: _, ...metadata } = created;
    expect(await getKey(created.id, bobInA)).toEqual(metadata);
    const [event] = await streamEvents(apiKeyStreamName(created.id));
    expect(event.data).toMatchObject({ keyHash: hashApiKey(created.key) });
    expect(JSON.stringify(event.data)).not.toContain(created.key.slice(8));
  });

  it('defaults to every scope, never expiring, and makes test keys on request', async () => {
    const projectId = await createdProject(organizationA);
    const key = await createKey(cydInA, { scopes: [], isTest: true, projectId, expiresIn: null });
    expect(key.key.startsWith('rt_test_')).toBe(true);
    expect(key).toMatchObject({ scopes: ['*'], isTest: true, projectId, expiresAt: null });
    expect(key.ownerDisplayName).toBeNull();
    expect(key.ownerEmail).toBeNull();
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const before = await eventCount();
    const invalid: [Record<string, unknown>, string][] = [
      [{ name: 'CI', scopes: ['sandboxes'] }, 'scopes.0'],
      [{ name: ' ' }, 'name'],
      [{ name: 'C\u0007I' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'CI', expiresIn: '11y' }, 'expiresIn'],
      [{ name: 'CI', expiresIn: '90 days' }, 'expiresIn'],
      [{ name: 'CI', projectId: 'not-a-uuid' }, 'projectId'],
      [{ name: 'CI', owner: bob }, 'owner'],
    ];
    for (const [payload, field] of invalid) {
      const error = await refusal(call(SUBJECTS.createApiKey, payload, bobInA));
      expect(error.kind).toBe('validation');
      expect(Object.keys(error.details!.fields as object)).toEqual([field]);
    }
    const noOrganization = await refusal(
      call(SUBJECTS.createApiKey, { name: 'CI' }, { type: 'user', userId: bob }),
    );
    expect(noOrganization).toMatchObject({ kind: 'validation', code: 'organization_required' });
    expect(await eventCount()).toBe(before);
  });

  it('lists the caller’s own keys in pages, every member’s for an Admin with all=true', async () => {
    const organization = newId();
    const [eve, fay, gus] = [newId(), newId(), newId()];
    const eveIn = memberCaller(eve, organization, 'admin');
    const fayIn = memberCaller(fay, organization);
    const projectId = await createdProject(organization);
    const eveKeys: string[] = [];
    for (let index = 0; index < 5; index++) {
      eveKeys.push(
        (await createKey(eveIn, { name: `eve ${index}`, projectId: index % 2 ? projectId : null }))
          .id,
      );
    }
    const fayKey = (await createKey(fayIn, { projectId })).id;
    await createKey(memberCaller(gus, newId()));

    const list = (as: Caller, query: Record<string, unknown>) =>
      walk<ApiKeyView>(async (cursor) =>
        call<ApiKeyView[]>(
          SUBJECTS.listApiKeys,
          { limit: 2, ...query, ...(cursor ? { cursor } : {}) },
          as,
        ),
      );
    const own = await list(eveIn, {});
    expect(own.items.map((key) => key.id)).toEqual(eveKeys);
    expect(own.sizes).toEqual([2, 2, 1]);
    expect((await list(fayIn, {})).items.map((key) => key.id)).toEqual([fayKey]);
    const all = await list(eveIn, { all: 'true' });
    expect(all.items.map((key) => key.id)).toEqual([...eveKeys, fayKey]);
    const inProject = await list(eveIn, { all: true, projectId });
    expect(inProject.items.map((key) => key.id)).toEqual([eveKeys[1], eveKeys[3], fayKey]);

    const notAdmin = await refusal(call(SUBJECTS.listApiKeys, { all: 'true' }, fayIn));
    expect(notAdmin).toMatchObject({ kind: 'forbidden', code: 'admin_required' });
    const badCursor = await refusal(call(SUBJECTS.listApiKeys, { cursor: 'nope' }, eveIn));
    expect(badCursor.kind).toBe('validation');
  });

  it('shows a key to its owner and the organization’s Admins only, 404 to everyone else', async () => {
    const key = await createKey(bobInA);
    expect((await getKey(key.id, bobInA)).id).toBe(key.id);
    expect((await getKey(key.id, adaInA)).id).toBe(key.id);
    for (const as of [cydInA, bobInB, memberCaller(ada, organizationB, 'admin')]) {
      expect(await refusal(getKey(key.id, as))).toMatchObject({ kind: 'not_found' });
    }
    expect(await refusal(getKey(newId(), bobInA))).toMatchObject({ kind: 'not_found' });
  });

  it('lets the owner update name, scopes and project, and tells the gateways at once', async () => {
    const key = await createKey(bobInA);
    const projectId = await createdProject(organizationA);
    const { data: updated, position } = await call<ApiKeyView>(
      SUBJECTS.updateApiKey,
      { keyId: key.id, name: 'Renamed', scopes: ['files:read'], projectId },
      bobInA,
    );
    expect(position).toBeDefined();
    expect(updated).toMatchObject({ name: 'Renamed', scopes: ['files:read'], projectId });
    await eventually(() => expect(announced(hashApiKey(key.key))).toBe(true));
    expect((await resolve(key.key)).data.scopes).toEqual(['files:read']);

    const unchanged = await call<ApiKeyView>(
      SUBJECTS.updateApiKey,
      { keyId: key.id, name: 'Renamed' },
      bobInA,
    );
    expect(unchanged.position).toBeUndefined();

    expect(
      await refusal(call(SUBJECTS.updateApiKey, { keyId: key.id, name: 'X' }, adaInA)),
    ).toMatchObject({ kind: 'forbidden', code: 'owner_only' });
    expect(
      await refusal(call(SUBJECTS.updateApiKey, { keyId: key.id, name: 'X' }, cydInA)),
    ).toMatchObject({ kind: 'not_found' });
  });

  it('revokes for the owner or an Admin, once; the key then resolves to nothing', async () => {
    const key = await createKey(bobInA);
    expect((await resolve(key.key)).data).toEqual({
      keyId: key.id,
      organizationId: organizationA,
      ownerUserId: bob,
      scopes: ['*'],
      validUntil: null,
    });
    expect(await refusal(call(SUBJECTS.revokeApiKey, { keyId: key.id }, cydInA))).toMatchObject({
      kind: 'not_found',
    });
    const revoked = await call<ApiKeyView>(SUBJECTS.revokeApiKey, { keyId: key.id }, adaInA);
    expect(revoked.data).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    await eventually(() => expect(announced(hashApiKey(key.key))).toBe(true));
    expect(await refusal(resolve(key.key))).toMatchObject({ kind: 'not_found', code: 'not_found' });

    const again = await call<ApiKeyView>(SUBJECTS.revokeApiKey, { keyId: key.id }, bobInA);
    expect(again.data).toEqual(revoked.data);
    expect(again.position).toBeUndefined();
    expect((await streamEvents(apiKeyStreamName(key.id))).map((event) => event.type)).toEqual([
      'ApiKeyCreated',
      'ApiKeyRevoked',
    ]);
    expect(
      await refusal(call(SUBJECTS.updateApiKey, { keyId: key.id, name: 'X' }, bobInA)),
    ).toMatchObject({ kind: 'conflict', code: 'api_key_revoked' });
    expect(await refusal(call(SUBJECTS.rotateApiKey, { keyId: key.id }, bobInA))).toMatchObject({
      kind: 'conflict',
      code: 'api_key_revoked',
    });
  });

  it('rotates: a new secret, the old one valid for the grace period only', async () => {
    const original = await createKey(bobInA, { name: 'rotating', scopes: ['agent:*'] });
    const rotate = async (gracePeriodSeconds?: number) => {
      const reply = await call<ApiKeyWithSecretView>(
        SUBJECTS.rotateApiKey,
        { keyId: original.id, ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) },
        bobInA,
      );
      secrets.push(reply.data.key);
      return reply;
    };

    const first = await rotate(3600);
    expect(first.message).toBe(STORE_KEY_MESSAGE);
    expect(first.data).toMatchObject({ id: original.id, name: 'rotating', scopes: ['agent:*'] });
    expect(first.data.key).not.toBe(original.key);
    expect(first.data.keyPrefix).toBe(first.data.key.slice(0, 12));
    await eventually(() => expect(announced(hashApiKey(original.key))).toBe(true));
    expect((await resolve(first.data.key)).data.validUntil).toBeNull();
    const graceEnd = Date.parse((await resolve(original.key)).data.validUntil!);
    expect(Math.abs(graceEnd - (Date.now() + 3_600_000))).toBeLessThan(10_000);

    // A second rotation ends the first one's grace; without a grace period, the old one ends now.
    const second = await rotate();
    await eventually(() => expect(announced(hashApiKey(first.data.key))).toBe(true));
    for (const old of [original.key, first.data.key]) {
      expect(await refusal(resolve(old))).toMatchObject({ kind: 'not_found' });
    }
    expect((await resolve(second.data.key)).data.keyId).toBe(original.id);

    const third = await rotate(1);
    expect((await resolve(second.data.key)).data.keyId).toBe(original.id);
    await sleep(1100);
    expect(await refusal(resolve(second.data.key))).toMatchObject({ kind: 'not_found' });
    expect((await resolve(third.data.key)).data.keyId).toBe(original.id);

    expect(
      await refusal(call(SUBJECTS.rotateApiKey, { keyId: original.id }, adaInA)),
    ).toMatchObject({ kind: 'forbidden', code: 'owner_only' });
    expect(
      await refusal(
        call(SUBJECTS.rotateApiKey, { keyId: original.id, gracePeriodSeconds: 86_401 }, bobInA),
      ),
    ).toMatchObject({ kind: 'validation' });
  });

  it('resolves nothing for unknown and expired keys', async () => {
    expect(
      await refusal(call(SUBJECTS.resolveApiKey, { keyHash: 'f'.repeat(64) }, null)),
    ).toMatchObject({ kind: 'not_found' });
    // A key whose expiry has passed: created a while ago, as an event from the past.
    const expired = `rt_live_${'x'.repeat(28)}`;
    secrets.push(expired);
    const keyId = newId();
    await append(keyEvents, apiKeyStreamName(keyId), {
      type: 'ApiKeyCreated',
      data: {
        keyId,
        organizationId: organizationA,
        ownerUserId: bob,
        name: 'old',
        keyPrefix: 'rt_live_xxxx',
        keyHash: hashApiKey(expired),
        scopes: ['*'],
        projectId: null,
        isTest: false,
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
        createdAt: new Date(Date.now() - 86_400_000).toISOString(),
      },
    });
    expect((await getKey(keyId, bobInA)).status).toBe('expired');
    expect(await refusal(resolve(expired))).toMatchObject({ kind: 'not_found' });
  });

  it('records lastUsedAt to the minute from the gateways’ reports, without an event', async () => {
    const key = await createKey(bobInA);
    const before = await eventCount();
    const report = (usedAt: string) =>
      gateway.publish(SUBJECTS.apiKeysUsed, { keyIds: [key.id, newId()], usedAt });
    report('2026-03-01T12:34:56.789Z');
    await eventually(async () =>
      expect((await getKey(key.id, bobInA)).lastUsedAt).toBe('2026-03-01T12:34:00.000Z'),
    );
    // An older report (another gateway, late) changes nothing; a newer one moves it on.
    report('2026-03-01T12:20:00.000Z');
    report('2026-03-01T12:40:01.000Z');
    await eventually(async () =>
      expect((await getKey(key.id, bobInA)).lastUsedAt).toBe('2026-03-01T12:40:00.000Z'),
    );
    const listed = await call<ApiKeyView[]>(SUBJECTS.listApiKeys, {}, bobInA);
    expect(listed.data.find((item) => item.id === key.id)?.lastUsedAt).toBe(
      '2026-03-01T12:40:00.000Z',
    );
    expect(await eventCount()).toBe(before);
  });
});

describe('SSH keys', () => {
  const laptop = ed25519Line('bob@laptop');

  it('registers an OpenSSH public key without its options, fingerprinted', async () => {
    const added = await addSshKey(bobInA, `  no-pty,from="10.0.0.1" ${laptop}\r\n`, ' Laptop ');
    const [type, base64] = laptop.split(' ');
    expect(added).toMatchObject({
      name: 'Laptop',
      publicKey: `${type} ${base64}`,
      keyType: 'ssh-ed25519',
      bits: 256,
      comment: 'bob@laptop',
      projectId: null,
      ownerUserId: bob,
    });
    expect(added.id).toBe(sshKeyIdOf(organizationA, added.fingerprint));
    expect(added.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(
      (await call<SshKeyView>(SUBJECTS.getSshKey, { sshKeyId: added.id }, bobInA)).data,
    ).toEqual(added);
  });

  it('refuses the same key twice in one organization, and takes it in another', async () => {
    const conflict = await refusal(addSshKey(cydInA, laptop));
    expect(conflict).toMatchObject({ kind: 'conflict', code: 'ssh_key_exists' });
    const elsewhere = await addSshKey(bobInB, laptop);
    expect(elsewhere.id).toBe(sshKeyIdOf(organizationB, elsewhere.fingerprint));
  });

  it('refuses private keys, DSA, short RSA and garbage with a 400 that does not repeat them', async () => {
    const privateKey =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n';
    const shortRsa = rsaLine(1024);
    const second = ecdsaLine('nistp256');
    // What identifies each refused input: none of it may be stored or logged.
    refusedInputs.push(privateKey.split('\n')[1], shortRsa.slice(-40), second.slice(-40));
    const cases: [string, string][] = [
      [privateKey, SSH_KEY_PROBLEMS.privateKey],
      [shortRsa, SSH_KEY_PROBLEMS.shortRsa],
      [`${laptop}\n${second}`, SSH_KEY_PROBLEMS.multiple],
      ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIpB', SSH_KEY_PROBLEMS.corrupt],
    ];
    const before = await eventCount();
    for (const [publicKey, problem] of cases) {
      const error = await refusal(addSshKey(bobInA, publicKey));
      expect(error.details).toEqual({ fields: { publicKey: [problem] } });
      expect(JSON.stringify(error.toBody())).not.toContain(publicKey.slice(0, 50));
    }
    expect(await eventCount()).toBe(before);
  });

  it('lists own keys in pages, all for Admins; shows and deletes for the owner or an Admin', async () => {
    const organization = newId();
    const [hal, ivy] = [newId(), newId()];
    const halIn = memberCaller(hal, organization, 'admin');
    const ivyIn = memberCaller(ivy, organization);
    const ivyKeys = [];
    for (const line of [ed25519Line(), ecdsaLine('nistp384'), rsaLine(3072)]) {
      ivyKeys.push((await addSshKey(ivyIn, line)).id);
    }
    const projectId = await createdProject(organization);
    const halKey = (
      await call<SshKeyView>(
        SUBJECTS.addSshKey,
        { name: 'in a project', publicKey: ed25519Line(), projectId },
        halIn,
      )
    ).data.id;
    const list = (as: Caller, query: Record<string, unknown>) =>
      walk<SshKeyView>(async (cursor) =>
        call<SshKeyView[]>(
          SUBJECTS.listSshKeys,
          { limit: 2, ...query, ...(cursor ? { cursor } : {}) },
          as,
        ),
      );
    const own = await list(ivyIn, {});
    expect(own.items.map((key) => key.id)).toEqual(ivyKeys);
    expect(own.sizes).toEqual([2, 1]);
    expect((await list(halIn, { all: 'true' })).items.map((key) => key.id)).toEqual([
      ...ivyKeys,
      halKey,
    ]);
    expect((await list(halIn, { all: 'true', projectId })).items.map((key) => key.id)).toEqual([
      halKey,
    ]);
    expect(await refusal(call(SUBJECTS.listSshKeys, { all: 'true' }, ivyIn))).toMatchObject({
      kind: 'forbidden',
      code: 'admin_required',
    });
    expect(await refusal(call(SUBJECTS.getSshKey, { sshKeyId: halKey }, ivyIn))).toMatchObject({
      kind: 'not_found',
    });
    expect(await refusal(call(SUBJECTS.deleteSshKey, { sshKeyId: halKey }, ivyIn))).toMatchObject({
      kind: 'not_found',
    });

    const deleted = await call<SshKeyDeletedView>(
      SUBJECTS.deleteSshKey,
      { sshKeyId: ivyKeys[0] },
      halIn,
    );
    expect(deleted.data).toEqual({ id: ivyKeys[0], deleted: true });
    expect(await refusal(call(SUBJECTS.getSshKey, { sshKeyId: ivyKeys[0] }, ivyIn))).toMatchObject({
      kind: 'not_found',
    });
    expect(
      await refusal(call(SUBJECTS.deleteSshKey, { sshKeyId: ivyKeys[0] }, ivyIn)),
    ).toMatchObject({ kind: 'not_found' });
    expect((await list(ivyIn, {})).items.map((key) => key.id)).toEqual(ivyKeys.slice(1));
  });

  it('takes a deleted key again', async () => {
    const line = ed25519Line();
    const first = await addSshKey(bobInA, line);
    await call(SUBJECTS.deleteSshKey, { sshKeyId: first.id }, bobInA);
    expect((await addSshKey(bobInA, line)).id).toBe(first.id);
  });
});

describe('when someone loses access to an organization', () => {
  /** Bob's keys in A, his key in B and Cyd's key in A, made for these tests. */
  async function keysOf(organizationId: string, owners: Caller[]) {
    const apiKeys = await Promise.all(owners.map((as) => createKey(as)));
    const sshKeys = await Promise.all(owners.map((as) => addSshKey(as, ed25519Line())));
    return { organizationId, apiKeys, sshKeys };
  }

  async function lastEventOf(streamName: string) {
    return (await streamEvents(streamName)).at(-1)!;
  }

  async function expectRevokedFor(keyId: string, cause: Record<string, string>) {
    const last = await lastEventOf(apiKeyStreamName(keyId));
    expect(last.type).toBe('ApiKeyRevoked');
    expect(last.data).toMatchObject({ revokedBy: null, cause });
    expect(last.metadata).toMatchObject({
      actor: { type: 'system', id: 'keys.member-removal-reaction' },
      causationId: cause.eventId,
    });
  }

  it('revokes the removed member’s API keys and deletes their SSH keys there, naming the removal', async () => {
    const organization = newId();
    const [jon, kim] = [newId(), newId()];
    const jonIn = memberCaller(jon, organization);
    const kimIn = memberCaller(kim, organization, 'admin');
    const jonKeys = await keysOf(organization, [jonIn, jonIn]);
    const jonElsewhere = await createKey(memberCaller(jon, newId()));
    const kimKey = await createKey(kimIn);
    const kimSshKey = await addSshKey(kimIn, ed25519Line());
    const removal = await removed(organization, jon);
    const cause = { reason: 'member_removed', eventId: removal, eventType: 'MemberRemoved' };

    await eventually(async () => {
      for (const key of jonKeys.apiKeys) await expectRevokedFor(key.id, cause);
      for (const key of jonKeys.sshKeys) {
        const last = await lastEventOf(sshKeyStreamName(key.id));
        expect(last.type).toBe('SshKeyDeleted');
        expect(last.data).toMatchObject({ deletedBy: null, cause });
      }
    });
    // The gateways hear of it once the read models show it.
    for (const key of jonKeys.apiKeys) {
      await eventually(() => expect(announced(hashApiKey(key.key))).toBe(true));
      expect((await getKey(key.id, kimIn)).status).toBe('revoked');
      expect(await refusal(resolve(key.key))).toMatchObject({ kind: 'not_found' });
    }
    await eventually(async () =>
      expect((await call<SshKeyView[]>(SUBJECTS.listSshKeys, {}, jonIn)).data).toEqual([]),
    );
    expect((await resolve(jonElsewhere.key)).data.keyId).toBe(jonElsewhere.id);
    expect((await resolve(kimKey.key)).data.keyId).toBe(kimKey.id);
    expect(
      (await call<SshKeyView>(SUBJECTS.getSshKey, { sshKeyId: kimSshKey.id }, kimIn)).data,
    ).toEqual(kimSshKey);

    // A key the gateway let through just before the removal, landing after it, is stopped too;
    // once they join again, their new keys stand.
    const late = await createKey(jonIn);
    await eventually(() => expectRevokedFor(late.id, cause));
    await membershipEvent(organization, {
      type: 'MemberJoined',
      data: {
        organizationId: organization,
        userId: jon,
        role: 'member',
        joinedAt: new Date().toISOString(),
      },
    });
    const rejoined = await createKey(jonIn);
    const lee = newId();
    const leeKey = await createKey(memberCaller(lee, organization));
    await removed(organization, lee);
    // The reaction follows $all in order: once Lee's later removal is done, Jon's key was seen.
    await eventually(async () =>
      expect((await lastEventOf(apiKeyStreamName(leeKey.id))).type).toBe('ApiKeyRevoked'),
    );
    expect((await resolve(rejoined.key)).data.keyId).toBe(rejoined.id);
  });

  it('stops every key of a deleted organization, and those of a member who left', async () => {
    const organization = newId();
    const [max, ned] = [newId(), newId()];
    const keys = await keysOf(organization, [
      memberCaller(max, organization, 'admin'),
      memberCaller(ned, organization),
    ]);
    const other = await createKey(memberCaller(max, newId(), 'admin'));
    const deletion = await membershipEvent(organization, {
      type: 'OrganizationDeleted',
      data: { organizationId: organization, deletedBy: max, deletedAt: new Date().toISOString() },
    });
    const cause = {
      reason: 'organization_deleted',
      eventId: deletion,
      eventType: 'OrganizationDeleted',
    };
    await eventually(async () => {
      for (const key of keys.apiKeys) await expectRevokedFor(key.id, cause);
      for (const key of keys.sshKeys) {
        expect((await lastEventOf(sshKeyStreamName(key.id))).data).toMatchObject({ cause });
      }
    });
    expect((await resolve(other.key)).data.keyId).toBe(other.id);
  });

  it('resumes after a restart and reacts exactly once', async () => {
    const organization = newId();
    const ola = newId();
    const olaIn = memberCaller(ola, organization);
    const keys = await keysOf(organization, [olaIn, olaIn]);
    await service.close();
    const left = await membershipEvent(organization, {
      type: 'MemberLeft',
      data: {
        organizationId: organization,
        userId: ola,
        role: 'member',
        leftAt: new Date().toISOString(),
      },
    });
    service = await start();
    const cause = { reason: 'member_left', eventId: left, eventType: 'MemberLeft' };
    await eventually(async () => {
      for (const key of keys.apiKeys) await expectRevokedFor(key.id, cause);
    });
    // After another restart, once the reaction has handled a later removal, nothing more was
    // appended to Ola's keys.
    await service.close();
    service = await start();
    const pat = newId();
    const patKey = await createKey(memberCaller(pat, organization));
    await removed(organization, pat);
    await eventually(async () =>
      expect((await lastEventOf(apiKeyStreamName(patKey.id))).type).toBe('ApiKeyRevoked'),
    );
    for (const key of keys.apiKeys) {
      const types = (await streamEvents(apiKeyStreamName(key.id))).map((event) => event.type);
      expect(types).toEqual(['ApiKeyCreated', 'ApiKeyRevoked']);
    }
    for (const key of keys.sshKeys) {
      const types = (await streamEvents(sshKeyStreamName(key.id))).map((event) => event.type);
      expect(types).toEqual(['SshKeyAdded', 'SshKeyDeleted']);
    }
  });
});

describe('at rest', () => {
  it('keeps no key anywhere: not in the event store, the read models or the logs', async () => {
    expect(secrets.length).toBeGreaterThan(20);
    const database = new Client({ connectionString: url });
    await database.connect();
    const rows: string[] = [];
    try {
      const tables = (
        await database.query(
          `SELECT table_schema, table_name FROM information_schema.tables
          WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE'`,
          [[eventStoreSchema, readModelSchema]],
        )
      ).rows as { table_schema: string; table_name: string }[];
      expect(tables.map((table) => table.table_name)).toEqual(
        expect.arrayContaining(['events', 'api_keys', 'ssh_keys', 'api_key_usage']),
      );
      for (const { table_schema, table_name } of tables) {
        const result = await database.query(
          `SELECT row_to_json(t)::text AS row FROM "${table_schema}"."${table_name}" t`,
        );
        rows.push(...result.rows.map((row: { row: string }) => row.row));
      }
    } finally {
      await database.end();
    }
    const stored = rows.join('\n');
    const logged = logLines.join('');
    expect(logged).toContain('Request handled');
    for (const secret of secrets) {
      // The part after `rt_live_`/`rt_test_`: the prefix shown for display stops 4 characters in.
      const secretPart = secret.slice(8);
      expect(stored).not.toContain(secretPart);
      expect(logged).not.toContain(secretPart);
      expect(stored).toContain(hashApiKey(secret));
    }
    for (const input of refusedInputs) {
      expect(stored).not.toContain(input);
      expect(logged).not.toContain(input);
    }
  });
});

describe('a project’s deletion', () => {
  it('moves the project’s API keys and SSH keys to the default project, no other', async () => {
    const [deleted, kept] = [
      await createdProject(organizationA),
      await createdProject(organizationA),
    ];
    const defaultProjectId = defaultProjectIdOf(organizationA);
    const apiKeys = [
      await createKey(bobInA, { projectId: deleted }),
      await createKey(adaInA, { projectId: deleted }),
    ];
    const otherApiKey = await createKey(bobInA, { projectId: kept });
    const sshKey = (
      await call<SshKeyView>(
        SUBJECTS.addSshKey,
        { name: 'in a project', publicKey: ed25519Line(), projectId: deleted },
        bobInA,
      )
    ).data;
    await deleteProject(organizationA, deleted);
    for (const key of apiKeys) {
      expect((await getKey(key.id, adaInA)).projectId).toBe(defaultProjectId);
    }
    expect((await getKey(otherApiKey.id, bobInA)).projectId).toBe(kept);
    const movedSshKey = await call<SshKeyView>(SUBJECTS.getSshKey, { sshKeyId: sshKey.id }, bobInA);
    expect(movedSshKey.data.projectId).toBe(defaultProjectId);
  });
});

describe('the project a key is put in', () => {
  const defaultProjectId = defaultProjectIdOf(organizationA);

  function addSshKeyIn(projectId: string | null, publicKey = ed25519Line()) {
    return call<SshKeyView>(
      SUBJECTS.addSshKey,
      { name: 'in a project', publicKey, projectId },
      bobInA,
    );
  }

  async function listedIn(projectId: string): Promise<{ apiKeys: string[]; sshKeys: string[] }> {
    const [apiKeys, sshKeys] = await Promise.all([
      call<ApiKeyView[]>(SUBJECTS.listApiKeys, { projectId, limit: 100 }, bobInA),
      call<SshKeyView[]>(SUBJECTS.listSshKeys, { projectId, limit: 100 }, bobInA),
    ]);
    return {
      apiKeys: apiKeys.data.map((key) => key.id),
      sshKeys: sshKeys.data.map((key) => key.id),
    };
  }

  it('takes a project created a moment ago, and the default project before it is created', async () => {
    const fresh = await createdProject(organizationA);
    expect((await createKey(bobInA, { projectId: fresh })).projectId).toBe(fresh);
    expect((await addSshKeyIn(fresh)).data.projectId).toBe(fresh);
    const key = await createKey(bobInA, { projectId: defaultProjectId });
    expect(key.projectId).toBe(defaultProjectId);
    const moved = await call<ApiKeyView>(
      SUBJECTS.updateApiKey,
      { keyId: key.id, projectId: fresh },
      bobInA,
    );
    expect(moved.data.projectId).toBe(fresh);
    expect((await getKey(key.id, bobInA)).projectId).toBe(fresh);
  });

  it('refuses a project that is unknown, another organization’s or deleted with a 404, and writes nothing', async () => {
    const deleted = await createdProject(organizationA);
    await deleteProject(organizationA, deleted);
    const refusedProjects = {
      unknown: newId(),
      anotherOrganizations: await createdProject(organizationB),
      anotherOrganizationsDefault: defaultProjectIdOf(organizationB),
      deleted,
    };
    const key = await createKey(bobInA, { name: 'Stays', projectId: defaultProjectId });
    const publicKey = ed25519Line();
    const sshKeyId = sshKeyIdOf(organizationA, parseSshPublicKey(publicKey).fingerprint);
    const before = await eventCount();
    for (const [project, projectId] of Object.entries(refusedProjects)) {
      const refusals = [
        await refusal(call(SUBJECTS.createApiKey, { name: 'Refused', projectId }, bobInA)),
        await refusal(
          call(SUBJECTS.updateApiKey, { keyId: key.id, name: 'Moved', projectId }, bobInA),
        ),
        await refusal(addSshKeyIn(projectId, publicKey)),
      ];
      expect(refusals.map(({ kind, code }) => ({ project, kind, code }))).toEqual(
        Array(3).fill({ project, kind: 'not_found', code: 'project_not_found' }),
      );
    }
    expect(await eventCount()).toBe(before);
    expect(await getKey(key.id, bobInA)).toMatchObject({
      name: 'Stays',
      projectId: defaultProjectId,
    });
    expect(await refusal(call(SUBJECTS.getSshKey, { sshKeyId }, bobInA))).toMatchObject({
      kind: 'not_found',
    });
  });

  it('keeps a key renamed, rotated or rescoped after its project was deleted in the default project', async () => {
    const projectId = await createdProject(organizationA);
    const key = await createKey(bobInA, { projectId });
    await deleteProject(organizationA, projectId);

    const renamed = await call<ApiKeyView>(
      SUBJECTS.updateApiKey,
      { keyId: key.id, name: 'Renamed' },
      bobInA,
    );
    expect(renamed.data).toMatchObject({ name: 'Renamed', projectId: defaultProjectId });
    expect((await getKey(key.id, bobInA)).projectId).toBe(defaultProjectId);

    const rotated = await call<ApiKeyWithSecretView>(
      SUBJECTS.rotateApiKey,
      { keyId: key.id },
      bobInA,
    );
    secrets.push(rotated.data.key);
    expect(rotated.data.projectId).toBe(defaultProjectId);
    await call(SUBJECTS.updateApiKey, { keyId: key.id, scopes: ['files:read'] }, bobInA);

    expect(await getKey(key.id, bobInA)).toMatchObject({
      name: 'Renamed',
      scopes: ['files:read'],
      projectId: defaultProjectId,
    });
    expect((await listedIn(defaultProjectId)).apiKeys).toContain(key.id);
    expect(await listedIn(projectId)).toEqual({ apiKeys: [], sshKeys: [] });
  });

  it('puts keys whose project was deleted between its check and their creation in the default project', async () => {
    // The handlers checked the project; its deletion is recorded before the keys' events land.
    const projectId = await createdProject(organizationA);
    await deleteProject(organizationA, projectId);
    const secret = generateApiKey(false);
    const keyId = newId();
    await append(keyEvents, apiKeyStreamName(keyId), {
      type: 'ApiKeyCreated',
      data: {
        keyId,
        organizationId: organizationA,
        ownerUserId: bob,
        name: 'Late',
        keyPrefix: apiKeyPrefix(secret),
        keyHash: hashApiKey(secret),
        scopes: ['*'],
        projectId,
        isTest: false,
        expiresAt: null,
        createdAt: new Date().toISOString(),
      },
    });
    const publicKey = parseSshPublicKey(ed25519Line());
    const sshKeyId = sshKeyIdOf(organizationA, publicKey.fingerprint);
    await append(keyEvents, sshKeyStreamName(sshKeyId), {
      type: 'SshKeyAdded',
      data: {
        sshKeyId,
        organizationId: organizationA,
        ownerUserId: bob,
        name: 'Late',
        ...publicKey,
        projectId,
        addedAt: new Date().toISOString(),
      },
    });

    expect((await getKey(keyId, bobInA)).projectId).toBe(defaultProjectId);
    const sshKey = await call<SshKeyView>(SUBJECTS.getSshKey, { sshKeyId }, bobInA);
    expect(sshKey.data.projectId).toBe(defaultProjectId);
    const inDefault = await listedIn(defaultProjectId);
    expect(inDefault.apiKeys).toContain(keyId);
    expect(inDefault.sshKeys).toContain(sshKeyId);
    expect(await listedIn(projectId)).toEqual({ apiKeys: [], sshKeys: [] });
  });

  it('gives every key the same project when the read model is rebuilt from the events', async () => {
    const database = new Client({ connectionString: url });
    await database.connect();
    const projectsOfKeys = async () =>
      (
        await database.query(
          `SELECT id, project_id FROM "${readModelSchema}".api_keys
           UNION ALL SELECT id, project_id FROM "${readModelSchema}".ssh_keys ORDER BY id`,
        )
      ).rows as { id: string; project_id: string | null }[];
    try {
      const before = await projectsOfKeys();
      // Among them, keys written with a project deleted before, in the batches a rebuild replays.
      const inDefault = before.filter((row) => row.project_id === defaultProjectId);
      expect(inDefault.length).toBeGreaterThanOrEqual(6);
      await eventually(() => service.get(ProjectionRunners).get('keys').rebuild());
      expect(await projectsOfKeys()).toEqual(before);
    } finally {
      await database.end();
    }
  });
});
