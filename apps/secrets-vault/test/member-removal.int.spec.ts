import { randomBytes } from 'node:crypto';
import type { INestMicroservice } from '@nestjs/common';
import {
  dataKeyStreamName,
  organizationEvents,
  organizationStreamName,
  sealForVault,
  SECRETS_VAULT_SUBJECTS as SUBJECTS,
  secretStreamName,
  type Caller,
  type OrganizationEvent,
  type RevealedSecretView,
  type SecretView,
  type TransportKeyView,
} from '@orgplane/contracts';
import { PostgresEventStore, type JsonObject } from '@orgplane/event-store';
import { createLogger, ReadYourWritesClient } from '@orgplane/messaging';
import { CHECKPOINT_TABLE } from '@orgplane/projections';
import {
  dropSchema,
  eventually,
  startNatsServer,
  testDatabaseUrl,
  uniqueSchemaName,
  type RunningNatsServer,
  memberCaller,
} from '@orgplane/testing';
import { newId } from '@orgplane/util';
import { Client } from 'pg';
import { startSecretsVault } from '../src/bootstrap';
import { SecretCipher } from '../src/encryption';

jest.setTimeout(60_000);

const url = testDatabaseUrl();
const eventStoreSchema = uniqueSchemaName('vault_removal_events');
const readModelSchema = uniqueSchemaName('vault_removal_read');
const keyStoreSchema = uniqueSchemaName('vault_removal_keys');
const masterKey = randomBytes(32).toString('base64');
const REACTION = { type: 'system', id: 'secrets-vault.member-removal-reaction' };

let nats: RunningNatsServer;
let service: INestMicroservice;
let store: PostgresEventStore;
let client: ReadYourWritesClient;
let transportKey: TransportKeyView;

function start(): Promise<INestMicroservice> {
  return startSecretsVault({
    NATS_URL: nats.url,
    DATABASE_URL: url,
    DATABASE_POOL_MAX: '5',
    EVENTSTORE_SCHEMA: eventStoreSchema,
    READ_MODEL_SCHEMA: readModelSchema,
    KEY_STORE_SCHEMA: keyStoreSchema,
    SECRETS_MASTER_KEY: masterKey,
    LOG_LEVEL: 'silent',
    SHUTDOWN_GRACE_MS: '0',
  });
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
    'vault-removal-spec',
    createLogger('vault-removal-spec', 'silent'),
  );
  transportKey = (await client.request<TransportKeyView>(SUBJECTS.getTransportKey, {}, null)).data;
});

afterAll(async () => {
  await service?.close();
  await client?.close();
  await store?.close();
  await nats?.stop();
  await dropSchema(url, readModelSchema);
  await dropSchema(url, eventStoreSchema);
  await dropSchema(url, keyStoreSchema);
});

/** The caller's own secret, or with `orgWide` the organization's (an Admin's write). */
async function setSecret(as: Caller, name: string, orgWide = false): Promise<SecretView> {
  const sealedValue = sealForVault(`value of ${name} ${newId()}`, transportKey);
  const request = { name, sealedValue, orgWide };
  return (await client.request<SecretView>(SUBJECTS.setSecret, request, as)).data;
}

async function reveal(as: Caller, name: string, orgWide = false): Promise<RevealedSecretView> {
  return (await client.request<RevealedSecretView>(SUBJECTS.revealSecret, { name, orgWide }, as))
    .data;
}

/** A membership event, as the membership service would append it; its id. */
async function membership(organizationId: string, event: OrganizationEvent): Promise<string> {
  const id = newId();
  const { type, schemaVersion, data } = organizationEvents.encode(event);
  const { position } = await store.append(organizationStreamName(organizationId), [
    {
      id,
      type,
      schemaVersion,
      data: data as JsonObject,
      metadata: {
        orgId: organizationId,
        actor: { type: 'system', id: 'vault-removal-spec' },
        requestId: id,
        correlationId: id,
        causationId: id,
      },
    },
  ]);
  client.saw(position);
  return id;
}

const at = () => new Date().toISOString();
const removed = (organizationId: string, userId: string) =>
  membership(organizationId, {
    type: 'MemberRemoved',
    data: { organizationId, userId, role: 'member', removedBy: newId(), removedAt: at() },
  });

async function streamTypes(streamName: string): Promise<string[]> {
  return (await store.readStream(streamName)).map((event) => event.type);
}

async function lastEventOf(streamName: string) {
  return (await store.readStream(streamName)).at(-1)!;
}

/**
 * Waits until the reaction has handled every event appended so far: it follows `$all` in order,
 * so once it destroyed a secret of a removal appended now, it has seen everything before.
 */
async function reactionPassedNow(): Promise<void> {
  const organization = newId();
  const userId = newId();
  const secret = await setSecret(memberCaller(userId, organization), 'MARKER');
  await removed(organization, userId);
  await eventually(async () =>
    expect((await lastEventOf(secretStreamName(secret.id))).type).toBe('SecretDestroyed'),
  );
}

async function expectDestroyedFor(secretId: string, cause: Record<string, string>) {
  const last = await lastEventOf(secretStreamName(secretId));
  expect(last.type).toBe('SecretDestroyed');
  expect(last.data).toMatchObject({ destroyedBy: null, cause });
  expect(last.metadata).toMatchObject({ actor: REACTION, causationId: cause.eventId });
}

describe('when a member loses access to an organization', () => {
  it('destroys their private secrets there, and nobody else’s', async () => {
    const [organization, elsewhere] = [newId(), newId()];
    const [jon, kim] = [newId(), newId()];
    const jonIn = memberCaller(jon, organization);
    const kimIn = memberCaller(kim, organization, 'admin');
    const jonSecrets = [await setSecret(jonIn, 'GITHUB_TOKEN'), await setSecret(jonIn, 'NPM')];
    const jonElsewhere = await setSecret(memberCaller(jon, elsewhere), 'GITHUB_TOKEN');
    await setSecret(kimIn, 'GITHUB_TOKEN');
    await setSecret(kimIn, 'SHARED', true);

    const removal = await removed(organization, jon);
    const cause = { reason: 'member_removed', eventId: removal, eventType: 'MemberRemoved' };
    await eventually(async () => {
      for (const secret of jonSecrets) await expectDestroyedFor(secret.id, cause);
    });
    for (const { name } of jonSecrets) {
      await expect(reveal(jonIn, name)).rejects.toMatchObject({ kind: 'not_found' });
    }
    expect((await reveal(memberCaller(jon, elsewhere), 'GITHUB_TOKEN')).id).toBe(jonElsewhere.id);
    expect((await reveal(kimIn, 'GITHUB_TOKEN')).value).toMatch(/^value of GITHUB_TOKEN/);
    expect((await reveal(kimIn, 'SHARED', true)).value).toMatch(/^value of SHARED/);
  });

  it('destroys a secret that lands after its owner left at once, until they join again', async () => {
    const organization = newId();
    const ola = newId();
    const olaIn = memberCaller(ola, organization);
    const before = await setSecret(olaIn, 'API_TOKEN');
    const left = await membership(organization, {
      type: 'MemberLeft',
      data: { organizationId: organization, userId: ola, role: 'member', leftAt: at() },
    });
    const cause = { reason: 'member_left', eventId: left, eventType: 'MemberLeft' };
    await eventually(() => expectDestroyedFor(before.id, cause));

    // A write the gateway let through just before she left, landing after it: the same name, so
    // the same stream, created anew.
    const late = await setSecret(olaIn, 'API_TOKEN');
    expect(late.id).toBe(before.id);
    await eventually(async () =>
      expect(await streamTypes(secretStreamName(late.id))).toEqual([
        'SecretCreated',
        'SecretDestroyed',
        'SecretCreated',
        'SecretDestroyed',
      ]),
    );
    await expectDestroyedFor(late.id, cause);

    await membership(organization, {
      type: 'MemberJoined',
      data: { organizationId: organization, userId: ola, role: 'member', joinedAt: at() },
    });
    const rejoined = await setSecret(olaIn, 'WELCOME_BACK');
    await reactionPassedNow();
    expect((await reveal(olaIn, 'WELCOME_BACK')).id).toBe(rejoined.id);
  });
});

describe('when an organization is deleted', () => {
  async function deleted(organizationId: string): Promise<string> {
    return membership(organizationId, {
      type: 'OrganizationDeleted',
      data: { organizationId, deletedBy: newId(), deletedAt: at() },
    });
  }

  async function dataKeyEvents(organizationId: string) {
    return (await store.readStream(dataKeyStreamName(organizationId))).filter(
      (event) => event.type === 'DataKeyDestroyed',
    );
  }

  /**
   * Puts the reaction back to just before it handled the organization's deletion `eventId`, as a
   * crash before its transaction committed would leave it: the checkpoint, and the deletion it
   * remembers.
   */
  async function rewindReaction(organizationId: string, eventId: string): Promise<void> {
    const [event] = (await store.readAll()).filter((recorded) => recorded.id === eventId);
    const [previous] = await store.readAll({
      fromPosition: event.position,
      direction: 'backwards',
      maxCount: 1,
    });
    const { commit, prepare } = previous.position;
    await sql(
      `UPDATE "${readModelSchema}".${CHECKPOINT_TABLE}
          SET commit_position = $2, prepare_position = $3 WHERE name = $1`,
      ['member_removal', commit.toString(), prepare.toString()],
    );
    await sql(
      `DELETE FROM "${readModelSchema}".member_removal_deleted_organizations
        WHERE organization_id = $1`,
      [organizationId],
    );
  }

  it('shreds its data key: no secret of it opens again, and the shredding is recorded once', async () => {
    const organization = newId();
    const [ada, bob] = [newId(), newId()];
    const adaIn = memberCaller(ada, organization, 'admin');
    const bobIn = memberCaller(bob, organization);
    await setSecret(adaIn, 'SHARED', true);
    await setSecret(adaIn, 'ADA_ONLY');
    await setSecret(bobIn, 'BOB_ONLY');
    const deletion = await deleted(organization);
    const cause = {
      reason: 'organization_deleted',
      eventId: deletion,
      eventType: 'OrganizationDeleted',
    };
    await eventually(async () => expect(await dataKeyEvents(organization)).toHaveLength(1));
    const [destroyed] = await dataKeyEvents(organization);
    expect(destroyed.data).toMatchObject({ organizationId: organization, cause });
    expect(destroyed.metadata).toMatchObject({ actor: REACTION, causationId: deletion });
    for (const [as, name, orgWide] of [
      [adaIn, 'SHARED', true],
      [adaIn, 'ADA_ONLY', false],
      [bobIn, 'BOB_ONLY', false],
    ] as const) {
      await expect(reveal(as, name, orgWide)).rejects.toMatchObject({
        kind: 'not_found',
        code: 'secret_unrecoverable',
      });
    }
    await expect(setSecret(adaIn, 'AFTERWARDS')).rejects.toMatchObject({
      code: 'organization_not_found',
    });

    // A crash after the shredding, before the reaction's checkpoint moved: the deletion is
    // handled again after a restart, and records nothing more.
    await service.close();
    await rewindReaction(organization, deletion);
    service = await start();
    await reactionPassedNow();
    expect(
      await sql(
        `SELECT event_id FROM "${readModelSchema}".member_removal_deleted_organizations
          WHERE organization_id = $1`,
        [organization],
      ),
    ).toEqual([{ event_id: deletion }]);
    expect(await dataKeyEvents(organization)).toEqual([destroyed]);
  });

  it('records the shredding even when the key was destroyed before a crash cut the reaction short', async () => {
    const organization = newId();
    await setSecret(memberCaller(newId(), organization, 'admin'), 'SHARED', true);
    await service.get(SecretCipher).destroyOrganizationKey(organization);
    const deletion = await deleted(organization);
    await eventually(async () => expect(await dataKeyEvents(organization)).toHaveLength(1));
    expect((await dataKeyEvents(organization))[0].data).toMatchObject({
      cause: { reason: 'organization_deleted', eventId: deletion },
    });
  });
});

/** A query of one's own, beside the vault's connections. */
async function sql(text: string, parameters: unknown[]): Promise<unknown[]> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    return (await admin.query(text, parameters)).rows;
  } finally {
    await admin.end();
  }
}
