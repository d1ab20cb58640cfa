import { createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  dataKeyStreamName,
  sealForVault,
  secretEvents,
  type SealedSecretValue,
} from '@orgplane/contracts';
import { EVENT_STORE } from '@orgplane/event-sourcing';
import { PostgresEventStore, StreamNotFoundError } from '@orgplane/event-store';
import { dropSchema, testDatabaseUrl, uniqueSchemaName } from '@orgplane/testing';
import { ConfigurationError, newId, ServiceError } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { unwrapKey } from '../src/encryption/aes-gcm';
import { ConfiguredKeyProvider } from '../src/encryption/configured-key-provider';
import { EncryptionModule } from '../src/encryption/encryption.module';
import { EnvelopeSecretCipher } from '../src/encryption/envelope-secret-cipher';
import { KEY_PROVIDER, type KeyProvider } from '../src/encryption/key-provider';
import { KeyStore } from '../src/encryption/key-store';
import { verifyMasterKeys } from '../src/encryption/master-key-check';
import { rotateMasterKey } from '../src/encryption/master-key-rotation';
import { SecretCipher, TransportKeys, type ValueRef } from '../src/encryption/secret-cipher';
import { StoredTransportKeys } from '../src/encryption/stored-transport-keys';
import { loadSecretsVaultConfig, SECRETS_VAULT_CONFIG } from '../src/secrets-vault.config';

jest.setTimeout(60_000);

const url = testDatabaseUrl();
const eventStoreSchema = uniqueSchemaName('vault_int_events');
/** every key store a test opened, dropped at the end */
const keyStoreSchemas: string[] = [];

let dataSource: DataSource;
let events: PostgresEventStore;

beforeAll(async () => {
  dataSource = await new DataSource({ type: 'postgres', url, poolSize: 10 }).initialize();
  events = await PostgresEventStore.create({
    connectionString: url,
    schema: eventStoreSchema,
    poolSize: 2,
  });
});

afterAll(async () => {
  await events?.close();
  await dataSource?.destroy();
  for (const schema of keyStoreSchemas) await dropSchema(url, schema);
  await dropSchema(url, eventStoreSchema);
});

function masterKey(): string {
  return randomBytes(32).toString('base64');
}

function provider(current: string, retired: string[] = []): ConfiguredKeyProvider {
  return ConfiguredKeyProvider.fromBase64(current, retired);
}

async function newKeyStore(): Promise<KeyStore> {
  const schema = uniqueSchemaName('vault_int_keys');
  keyStoreSchemas.push(schema);
  return KeyStore.open(dataSource, schema);
}

/** A key store and a cipher over it, as one vault instance holds them. */
async function newVault() {
  const keyStore = await newKeyStore();
  const keyProvider = provider(masterKey());
  return { keyStore, keyProvider, cipher: cipherOn(keyStore, keyProvider) };
}

function cipherOn(keyStore: KeyStore, keyProvider: KeyProvider): EnvelopeSecretCipher {
  return new EnvelopeSecretCipher(keyStore, keyProvider, events);
}

function valueRef(organizationId = newId(), version = 1): ValueRef {
  return { organizationId, secretId: newId(), version };
}

/** The error `operation` fails with; the test fails when it succeeds. */
async function refusal(operation: Promise<unknown>): Promise<Error> {
  const succeeded = Symbol('succeeded');
  const outcome = await operation.then(
    () => succeeded,
    (error: unknown) => error,
  );
  if (outcome === succeeded) throw new Error('Expected the operation to fail');
  if (!(outcome instanceof Error)) throw outcome;
  return outcome;
}

async function serviceRefusal(operation: Promise<unknown>): Promise<ServiceError> {
  const error = await refusal(operation);
  if (!(error instanceof ServiceError)) throw error;
  return error;
}

async function dataKeyEvents(organizationId: string) {
  try {
    const stored = await events.readStream(dataKeyStreamName(organizationId));
    return stored.map((event) => ({ ...secretEvents.decode(event), metadata: event.metadata }));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

async function count(table: string, where = 'true', parameters: unknown[] = []) {
  const [{ n }] = (await dataSource.query(
    `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
    parameters,
  )) as { n: number }[];
  return n;
}

describe('sealing and opening', () => {
  it('opens what it sealed, for any UTF-8 value up to 64 KiB', async () => {
    const { cipher } = await newVault();
    const ref = valueRef();
    for (const value of ['sk-live-opens-again', 'ünïcødé ✓ 鍵', 'x'.repeat(64 * 1024)]) {
      const sealed = await cipher.seal(ref, value);
      expect(await cipher.open(ref, sealed)).toBe(value);
    }
  });

  it('seals with a fresh value key and nonce each time: the same value never looks the same', async () => {
    const { cipher } = await newVault();
    const ref = valueRef();

    const first = await cipher.seal(ref, 'same-value-twice');
    const second = await cipher.seal(ref, 'same-value-twice');

    expect(second.keyId).not.toBe(first.keyId);
    expect(second.nonce).not.toBe(first.nonce);
    expect(second.ciphertext).not.toBe(first.ciphertext);
    expect(Buffer.from(first.nonce, 'base64')).toHaveLength(12);
    expect(Buffer.from(first.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(first.ciphertext, 'base64').toString('utf8')).not.toContain('same-value');
  });

  it('refuses a tampered ciphertext, nonce or tag', async () => {
    const { cipher } = await newVault();
    const ref = valueRef();
    const sealed = await cipher.seal(ref, 'do-not-alter-me');
    const flipFirstByte = (base64: string) => {
      const bytes = Buffer.from(base64, 'base64');
      bytes[0] ^= 1;
      return bytes.toString('base64');
    };

    for (const tampered of [
      { ...sealed, ciphertext: flipFirstByte(sealed.ciphertext) },
      { ...sealed, nonce: flipFirstByte(sealed.nonce) },
      { ...sealed, tag: flipFirstByte(sealed.tag) },
    ]) {
      const error = await refusal(cipher.open(ref, tampered));
      expect(error.message).toMatch(/failed authentication/);
      expect(error.message).not.toContain('do-not-alter-me');
    }
    expect(await cipher.open(ref, sealed)).toBe('do-not-alter-me');
  });

  it('opens a value only for the secret and version it was sealed for', async () => {
    const { cipher } = await newVault();
    const ref = valueRef();
    const sealed = await cipher.seal(ref, 'bound-to-its-ref');

    for (const otherRef of [
      { ...ref, version: 2 },
      { ...ref, secretId: newId() },
      { ...ref, organizationId: newId() },
    ]) {
      const error = await serviceRefusal(cipher.open(otherRef, sealed));
      expect(error.code).toBe('secret_unrecoverable');
    }
  });

  it('refuses a value whose value key was swapped for another value key of the organization', async () => {
    const { cipher, keyStore } = await newVault();
    const ref = valueRef();
    const sealed = await cipher.seal(ref, 'first');
    const other = await cipher.seal({ ...ref, secretId: newId() }, 'second');
    // Someone with write access to the key store moves the other value's wrapped key over.
    await dataSource.query(
      `UPDATE ${keyStore.valueKeys} SET wrapped_key =
         (SELECT wrapped_key FROM ${keyStore.valueKeys} WHERE key_id = $2) WHERE key_id = $1`,
      [sealed.keyId, other.keyId],
    );

    expect((await refusal(cipher.open(ref, sealed))).message).toMatch(/failed authentication/);
  });

  it('makes the data key on the first seal and records it, with the key nowhere in the event', async () => {
    const { cipher, keyStore, keyProvider } = await newVault();
    const organizationId = newId();

    await cipher.seal(valueRef(organizationId), 'first');
    await cipher.seal(valueRef(organizationId), 'second');

    const [row] = (await dataSource.query(
      `SELECT wrapped_key, master_key_id, destroyed_at FROM ${keyStore.dataKeys}
        WHERE organization_id = $1`,
      [organizationId],
    )) as { wrapped_key: Buffer; master_key_id: string; destroyed_at: Date | null }[];
    expect(row.master_key_id).toBe(keyProvider.currentKeyId);
    expect(row.wrapped_key).toHaveLength(12 + 32 + 16);
    expect(row.destroyed_at).toBeNull();
    const recorded = await dataKeyEvents(organizationId);
    expect(recorded).toEqual([
      {
        type: 'DataKeyCreated',
        data: {
          organizationId,
          masterKeyId: keyProvider.currentKeyId,
          createdAt: expect.any(String),
        },
        metadata: expect.objectContaining({
          orgId: organizationId,
          actor: { type: 'system', id: 'secrets-vault.encryption' },
        }),
      },
    ]);
    const dataKey = await keyProvider.unwrap(
      { masterKeyId: row.master_key_id, wrapped: row.wrapped_key },
      organizationId,
    );
    expect(JSON.stringify(recorded)).not.toContain(dataKey.toString('base64'));
    expect(JSON.stringify(recorded)).not.toContain(dataKey.toString('hex'));
  });
});

describe('destroying keys', () => {
  it('destroyValueKeys makes those versions unrecoverable and leaves the others', async () => {
    const { cipher, keyStore } = await newVault();
    const organizationId = newId();
    const secretId = newId();
    const refs = [1, 2, 3].map((version) => ({ organizationId, secretId, version }));
    const sealed = await Promise.all(refs.map((ref) => cipher.seal(ref, `value-${ref.version}`)));
    const otherSecret = valueRef(organizationId, 1);
    const otherSealed = await cipher.seal(otherSecret, 'other-secret-version-1');

    await cipher.destroyValueKeys(secretId, [1, 2]);
    await cipher.destroyValueKeys(secretId, [1, 2]);
    await cipher.destroyValueKeys(secretId, []);

    for (const index of [0, 1]) {
      const error = await serviceRefusal(cipher.open(refs[index], sealed[index]));
      expect(error.kind).toBe('not_found');
      expect(error.code).toBe('secret_unrecoverable');
    }
    expect(await cipher.open(refs[2], sealed[2])).toBe('value-3');
    expect(await cipher.open(otherSecret, otherSealed)).toBe('other-secret-version-1');
    expect(await count(keyStore.valueKeys, 'secret_id = $1', [secretId])).toBe(1);
  });

  it('destroys every value key of a version, also the one a losing concurrent writer left', async () => {
    const { cipher, keyStore } = await newVault();
    const ref = valueRef();

    const [winner, loser] = await Promise.all([
      cipher.seal(ref, 'winner'),
      cipher.seal(ref, 'loser'),
    ]);
    expect(await cipher.open(ref, winner)).toBe('winner');
    expect(await cipher.open(ref, loser)).toBe('loser');

    await cipher.destroyValueKeys(ref.secretId, [ref.version]);
    expect(await count(keyStore.valueKeys, 'secret_id = $1', [ref.secretId])).toBe(0);
  });

  describe('destroyOrganizationKey (crypto-shredding)', () => {
    const values = ['shred-me-alpha-7f3a', 'shred-me-bravo-91c2', 'shred-me-charlie-0d4e'];

    it('makes every value of the organization unrecoverable, and nothing left in the database opens them', async () => {
      const { cipher, keyStore, keyProvider } = await newVault();
      const organizationId = newId();
      const sealed: { ref: ValueRef; value: SealedSecretValue }[] = [];
      for (const [index, value] of values.entries()) {
        const ref = valueRef(organizationId, index + 1);
        sealed.push({ ref, value: await cipher.seal(ref, value) });
      }
      const bystander = valueRef();
      const bystanderSealed = await cipher.seal(bystander, 'another-organization-keeps-this');

      expect(await cipher.destroyOrganizationKey(organizationId)).toBe(true);

      for (const { ref, value } of sealed) {
        const error = await serviceRefusal(cipher.open(ref, value));
        expect(error.code).toBe('secret_unrecoverable');
      }
      expect(await cipher.open(bystander, bystanderSealed)).toBe('another-organization-keeps-this');
      const [tombstone] = (await dataSource.query(
        `SELECT wrapped_key, master_key_id, destroyed_at FROM ${keyStore.dataKeys}
          WHERE organization_id = $1`,
        [organizationId],
      )) as { wrapped_key: Buffer | null; master_key_id: string | null; destroyed_at: Date }[];
      expect(tombstone).toEqual({
        wrapped_key: null,
        master_key_id: null,
        destroyed_at: expect.any(Date),
      });
      expect(await count(keyStore.valueKeys, 'organization_id = $1', [organizationId])).toBe(0);

      // Someone with the whole key store and even the master key: every data key it still holds,
      // every value key those unwrap, and raw key bytes taken as keys; none opens these values.
      const candidates = await everyKeyIn(keyStore, keyProvider);
      expect(candidates.length).toBeGreaterThan(1);
      for (const { ref, value } of sealed) {
        for (const key of candidates) expect(opensWith(key, ref, value)).toBe(false);
      }
      const everything = JSON.stringify(
        await dataSource.query(`SELECT * FROM ${keyStore.valueKeys}`),
      );
      for (const value of values) expect(everything).not.toContain(value);
    });

    it('refuses later seals for the organization, also on an instance that still caches its key', async () => {
      const { cipher, keyStore, keyProvider } = await newVault();
      const otherInstance = cipherOn(keyStore, keyProvider);
      const organizationId = newId();
      const ref = valueRef(organizationId);
      const sealed = await otherInstance.seal(ref, 'cached-on-the-other-instance');
      expect(await otherInstance.open(ref, sealed)).toBe('cached-on-the-other-instance');

      expect(await cipher.destroyOrganizationKey(organizationId)).toBe(true);

      for (const instance of [cipher, otherInstance]) {
        const error = await serviceRefusal(instance.seal(valueRef(organizationId), 'too late'));
        expect(error.kind).toBe('not_found');
        expect(error.code).toBe('organization_not_found');
        expect((await serviceRefusal(instance.open(ref, sealed))).code).toBe(
          'secret_unrecoverable',
        );
      }
      expect(await count(keyStore.valueKeys, 'organization_id = $1', [organizationId])).toBe(0);
      expect(
        await count(keyStore.dataKeys, 'organization_id = $1 AND wrapped_key IS NOT NULL', [
          organizationId,
        ]),
      ).toBe(0);
    });

    it('answers false once the key is destroyed already', async () => {
      const { cipher } = await newVault();
      const organizationId = newId();
      await cipher.seal(valueRef(organizationId), 'value');

      expect(await cipher.destroyOrganizationKey(organizationId)).toBe(true);
      expect(await cipher.destroyOrganizationKey(organizationId)).toBe(false);
    });

    it('remembers an organization deleted before it had a key: none is made afterwards', async () => {
      const { cipher, keyStore } = await newVault();
      const organizationId = newId();

      expect(await cipher.destroyOrganizationKey(organizationId)).toBe(true);

      expect((await serviceRefusal(cipher.seal(valueRef(organizationId), 'value'))).code).toBe(
        'organization_not_found',
      );
      expect(await count(keyStore.dataKeys, 'organization_id = $1', [organizationId])).toBe(1);
      expect(await dataKeyEvents(organizationId)).toEqual([]);
    });
  });
});

describe('several instances on one key store', () => {
  it('agree on one data key when their first seals for an organization race', async () => {
    const keyStore = await newKeyStore();
    const master = masterKey();
    const instances = [1, 2, 3].map(() => cipherOn(keyStore, provider(master)));
    const organizationId = newId();

    const sealed = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const ref = valueRef(organizationId, index + 1);
        const value = await instances[index % 3].seal(ref, `racing-${index}`);
        return { ref, value, plaintext: `racing-${index}` };
      }),
    );

    expect(await count(keyStore.dataKeys, 'organization_id = $1', [organizationId])).toBe(1);
    expect((await dataKeyEvents(organizationId)).map((event) => event.type)).toEqual([
      'DataKeyCreated',
    ]);
    for (const { ref, value, plaintext } of sealed) {
      for (const instance of instances) expect(await instance.open(ref, value)).toBe(plaintext);
    }
  });

  it('share one transport key pair and one data key', async () => {
    const keyStore = await newKeyStore();
    const master = masterKey();
    const [first, second] = await Promise.all([
      StoredTransportKeys.load(keyStore, provider(master)),
      StoredTransportKeys.load(keyStore, provider(master)),
    ]);
    expect(await second.publicKey()).toEqual(await first.publicKey());
    expect(await count(keyStore.transportKeys)).toBe(1);
    expect(await second.open(sealForVault('via-the-first', await first.publicKey()))).toBe(
      'via-the-first',
    );

    const ref = valueRef();
    const sealed = await cipherOn(keyStore, provider(master)).seal(ref, 'sealed-by-one');
    expect(await cipherOn(keyStore, provider(master)).open(ref, sealed)).toBe('sealed-by-one');
    expect(await count(keyStore.dataKeys)).toBe(1);
  });
});

describe('transport keys', () => {
  it('open what the gateway sealed to the public key', async () => {
    const { keyStore, keyProvider } = await newVault();
    const transport = await StoredTransportKeys.load(keyStore, keyProvider);
    const view = await transport.publicKey();

    expect(view.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await transport.open(sealForVault('sk-from-the-gateway ✓', view))).toBe(
      'sk-from-the-gateway ✓',
    );
  });

  it('refuse an altered value, or one sealed to another key, with invalid_sealed_value and no echo', async () => {
    const { keyStore, keyProvider } = await newVault();
    const transport = await StoredTransportKeys.load(keyStore, keyProvider);
    const sealed = sealForVault('tamper-with-me', await transport.publicKey());
    const ciphertext = Buffer.from(sealed.ciphertext, 'base64');
    ciphertext[0] ^= 1;
    const elsewhere = await StoredTransportKeys.load(await newKeyStore(), keyProvider);

    for (const bad of [
      { ...sealed, ciphertext: ciphertext.toString('base64') },
      { ...sealed, transportKeyId: 'another-key' },
      sealForVault('tamper-with-me', await elsewhere.publicKey()),
    ]) {
      const error = await serviceRefusal(transport.open(bad));
      expect(error.kind).toBe('validation');
      expect(error.code).toBe('invalid_sealed_value');
      expect(JSON.stringify(error.toBody())).not.toContain(bad.ciphertext);
      expect(JSON.stringify(error.toBody())).not.toContain(bad.transportKeyId);
    }
  });
});

describe('master-key rotation', () => {
  it('rewraps every data key and the transport key, keeps every value openable, and then the old key can go', async () => {
    const keyStore = await newKeyStore();
    const oldKey = masterKey();
    const newKey = masterKey();
    const before = provider(oldKey);
    const cipher = cipherOn(keyStore, before);
    const sealed: { ref: ValueRef; value: SealedSecretValue; plaintext: string }[] = [];
    const organizations = [newId(), newId(), newId()];
    for (const organizationId of organizations) {
      for (const version of [1, 2]) {
        const ref = valueRef(organizationId, version);
        const plaintext = `rotate-${organizationId}-${version}`;
        sealed.push({ ref, plaintext, value: await cipher.seal(ref, plaintext) });
      }
    }
    const shredded = newId();
    await cipher.seal(valueRef(shredded), 'shredded-before-rotation');
    await cipher.destroyOrganizationKey(shredded);
    const transportView = await (await StoredTransportKeys.load(keyStore, before)).publicKey();
    const valueKeysBefore = await dataSource.query(
      `SELECT key_id, wrapped_key FROM ${keyStore.valueKeys} ORDER BY key_id`,
    );

    const during = provider(newKey, [oldKey]);
    await verifyMasterKeys(keyStore, during);
    const summary = await rotateMasterKey({ keyStore, keyProvider: during, events });

    expect(summary).toEqual({
      masterKeyId: during.currentKeyId,
      dataKeys: 3,
      transportKeys: 1,
      durationMs: expect.any(Number),
    });
    expect(
      await dataSource.query(
        `SELECT key_id, wrapped_key FROM ${keyStore.valueKeys} ORDER BY key_id`,
      ),
    ).toEqual(valueKeysBefore);
    for (const organizationId of organizations) {
      expect(
        (await dataKeyEvents(organizationId)).map(({ type, data }) => ({ type, data })),
      ).toEqual([
        {
          type: 'DataKeyCreated',
          data: expect.objectContaining({ masterKeyId: before.currentKeyId }),
        },
        {
          type: 'DataKeyRewrapped',
          data: {
            organizationId,
            fromMasterKeyId: before.currentKeyId,
            toMasterKeyId: during.currentKeyId,
            rewrappedAt: expect.any(String),
          },
        },
      ]);
    }
    expect(await dataKeyEvents(shredded)).toHaveLength(1);

    const again = await rotateMasterKey({ keyStore, keyProvider: during, events });
    expect(again).toMatchObject({ dataKeys: 0, transportKeys: 0 });
    expect(await dataKeyEvents(organizations[0])).toHaveLength(2);

    // The old key leaves the configuration: every stored key is wrapped with the new one now.
    const after = provider(newKey);
    await verifyMasterKeys(keyStore, after);
    const restarted = cipherOn(keyStore, after);
    for (const { ref, value, plaintext } of sealed) {
      expect(await restarted.open(ref, value)).toBe(plaintext);
    }
    const transport = await StoredTransportKeys.load(keyStore, after);
    expect(await transport.publicKey()).toEqual(transportView);
    expect(await transport.open(sealForVault('after-rotation', transportView))).toBe(
      'after-rotation',
    );
    expect(
      await count(keyStore.dataKeys, 'master_key_id IS NOT NULL AND master_key_id <> $1', [
        after.currentKeyId,
      ]),
    ).toBe(0);
  });

  it('refuses to rewrap keys wrapped by a master key it was not given', async () => {
    const { keyStore, cipher } = await newVault();
    await cipher.seal(valueRef(), 'value');

    const error = await refusal(verifyMasterKeys(keyStore, provider(masterKey())));

    expect(error).toBeInstanceOf(ConfigurationError);
  });
});

describe('EncryptionModule start-up', () => {
  /** The vault's module, with what AppModule and EventSourcingModule provide around it. */
  async function startEncryption(env: NodeJS.ProcessEnv) {
    const config = loadSecretsVaultConfig(env);
    const infrastructure: DynamicModule = {
      module: class Infrastructure {},
      global: true,
      providers: [
        { provide: SECRETS_VAULT_CONFIG, useValue: config },
        { provide: DataSource, useValue: dataSource },
        { provide: EVENT_STORE, useValue: events },
      ],
      exports: [SECRETS_VAULT_CONFIG, DataSource, EVENT_STORE],
    };
    const moduleRef = await Test.createTestingModule({
      imports: [infrastructure, EncryptionModule],
    }).compile();
    return moduleRef;
  }

  function keyStoreEnv(): { KEY_STORE_SCHEMA: string } {
    const schema = uniqueSchemaName('vault_int_keys');
    keyStoreSchemas.push(schema);
    return { KEY_STORE_SCHEMA: schema };
  }

  it('provides the cipher, the transport keys and the key provider', async () => {
    const master = masterKey();
    const env = { ...keyStoreEnv(), SECRETS_MASTER_KEY: master };
    const vault = await startEncryption(env);
    const ref = valueRef();
    const sealed = await vault.get(SecretCipher).seal(ref, 'through-the-module');
    const view = await vault.get(TransportKeys).publicKey();

    const restarted = await startEncryption(env);

    expect(restarted.get<KeyProvider>(KEY_PROVIDER).currentKeyId).toBe(
      provider(master).currentKeyId,
    );
    expect(await restarted.get(SecretCipher).open(ref, sealed)).toBe('through-the-module');
    expect(await restarted.get(TransportKeys).publicKey()).toEqual(view);
    await vault.close();
    await restarted.close();
  });

  it('fails with a clear error, naming no key, when the master key is not the one that wrapped the keys', async () => {
    const env = keyStoreEnv();
    const rightKey = masterKey();
    const vault = await startEncryption({ ...env, SECRETS_MASTER_KEY: rightKey });
    await vault.get(SecretCipher).seal(valueRef(), 'wrapped-with-the-right-key');
    await vault.close();
    const wrongKey = masterKey();

    const error = await refusal(startEncryption({ ...env, SECRETS_MASTER_KEY: wrongKey }));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(
      'SECRETS_MASTER_KEY does not match the stored data keys: they are wrapped with master key ' +
        `${provider(rightKey).currentKeyId}, which is neither SECRETS_MASTER_KEY ` +
        `(${provider(wrongKey).currentKeyId}) nor in SECRETS_RETIRED_MASTER_KEYS`,
    );
    for (const key of [rightKey, wrongKey]) {
      expect(error.message).not.toContain(key);
      expect(error.message).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    }
    // With the right key among the retired ones, it starts (a rotation in progress).
    const rotating = await startEncryption({
      ...env,
      SECRETS_MASTER_KEY: wrongKey,
      SECRETS_RETIRED_MASTER_KEYS: rightKey,
    });
    await rotating.close();
  });

  it('fails with a clear error when the stored keys do not unwrap under their master key id', async () => {
    const env = { ...keyStoreEnv(), SECRETS_MASTER_KEY: masterKey() };
    const vault = await startEncryption(env);
    await vault.get(SecretCipher).seal(valueRef(), 'about-to-be-corrupted');
    await vault.close();
    await dataSource.query(
      `UPDATE "${env.KEY_STORE_SCHEMA}".data_keys SET wrapped_key = overlay(wrapped_key PLACING '\\x00'::bytea FROM 20)`,
    );

    const error = await refusal(startEncryption(env));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(
      /^Master key cfg:[0-9a-f]{16} does not unwrap the keys stored under its id/,
    );
  });

  it('in development without SECRETS_MASTER_KEY, generates one master key that every instance shares', async () => {
    const env = keyStoreEnv();
    const [first, second] = await Promise.all([startEncryption(env), startEncryption(env)]);
    const ref = valueRef();
    const sealed = await first.get(SecretCipher).seal(ref, 'development-only');

    expect(await second.get(SecretCipher).open(ref, sealed)).toBe('development-only');
    expect(second.get<KeyProvider>(KEY_PROVIDER).currentKeyId).toBe(
      first.get<KeyProvider>(KEY_PROVIDER).currentKeyId,
    );
    expect(await count(`"${env.KEY_STORE_SCHEMA}".development_master_key`)).toBe(1);
    await first.close();
    await second.close();
  });
});

/**
 * Every key the key store still yields to someone holding it and the master key: each data key
 * unwrapped, each value key unwrapped with every data key, and every stored blob's bytes taken
 * raw as a key.
 */
async function everyKeyIn(keyStore: KeyStore, keyProvider: KeyProvider): Promise<KeyObject[]> {
  const dataKeyRows = (await dataSource.query(
    `SELECT organization_id, wrapped_key, master_key_id FROM ${keyStore.dataKeys}
      WHERE wrapped_key IS NOT NULL`,
  )) as { organization_id: string; wrapped_key: Buffer; master_key_id: string }[];
  const valueKeyRows = (await dataSource.query(
    `SELECT organization_id, secret_id, version, wrapped_key FROM ${keyStore.valueKeys}`,
  )) as { organization_id: string; secret_id: string; version: number; wrapped_key: Buffer }[];
  const dataKeys: KeyObject[] = [];
  for (const row of dataKeyRows) {
    const key = await keyProvider.unwrap(
      { masterKeyId: row.master_key_id, wrapped: row.wrapped_key },
      row.organization_id,
    );
    dataKeys.push(createSecretKey(key));
  }
  const candidates = [...dataKeys];
  for (const row of valueKeyRows) {
    const aad = `${row.organization_id}/${row.secret_id}/${row.version}`;
    for (const dataKey of dataKeys) {
      try {
        candidates.push(createSecretKey(unwrapKey(dataKey, row.wrapped_key, aad)));
      } catch {
        // wrapped by another organization's data key
      }
    }
  }
  for (const blob of [...dataKeyRows, ...valueKeyRows].map((row) => row.wrapped_key)) {
    for (let offset = 0; offset + 32 <= blob.length; offset++) {
      candidates.push(createSecretKey(blob.subarray(offset, offset + 32)));
    }
  }
  return candidates;
}

function opensWith(key: KeyObject, ref: ValueRef, sealed: SealedSecretValue): boolean {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64'));
    decipher.setAAD(Buffer.from(`${ref.organizationId}/${ref.secretId}/${ref.version}`));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    decipher.update(Buffer.from(sealed.ciphertext, 'base64'));
    decipher.final();
    return true;
  } catch {
    return false;
  }
}
