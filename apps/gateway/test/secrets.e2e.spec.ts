import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { promisify } from 'node:util';
import {
  grantsScope,
  SECRET_VALUE_MAX_BYTES,
  SECRET_VERSIONS_KEPT,
  SECRETS_VAULT_SUBJECTS,
  type ResolvedSecretView,
  type Scope,
  type ServiceReply,
} from '@orgplane/contracts';
import { formatPosition, maxPosition, parsePosition, type Position } from '@orgplane/event-store';
import { createLogger, ReadYourWritesClient } from '@orgplane/messaging';
import { eventually, ServiceExitedError } from '@orgplane/testing';
import { ServiceError } from '@orgplane/util';
import { Client } from 'pg';
import { ORGANIZATION_HEADER } from '../src/authorization/authorization.guard';
import { API_KEY_HEADER } from '../src/authorization/credentials';
import { HTTP_HEADERS } from '../src/common/http-request-context';
import { everyRow, NatsCapture } from './support/at-rest';
import { startService, Stack, type HttpRequest, type HttpResponse } from './support/stack';
import {
  buildWorld,
  createApiKey,
  expectStatus,
  joinWorld,
  signIn,
  uniqueEmail,
  type SignedInUser,
  type World,
} from './support/world';

/**
 * Secrets through the HTTP API, and resolution over NATS as a platform service asks for it: who
 * may do what to whose secret, versions, bad input, the access log, crypto-shredding when an
 * organization is deleted or a member removed, and, last, a scan of everything the file left at
 * rest, on NATS and in the logs for the values it wrote.
 */

jest.setTimeout(60_000);

let stack: Stack;
let capture: NatsCapture;
/** a platform service resolving secrets (the stack's test resolver) */
let platform: ReadYourWritesClient;
let admin: SignedInUser;
/** the Member whose private secret the matrix is about */
let owner: SignedInUser;
let otherMember: SignedInUser;
/** works in an organization of their own */
let outsider: SignedInUser;
let world: World;
/** the stack's database, as someone with direct access sees it */
let database: Client;

/** Every value this file wrote: none may show anywhere but in a reveal or resolve reply. */
const canaries: string[] = [];
function canary(): string {
  const value = `plaintext-canary-${randomBytes(12).toString('hex')}`;
  canaries.push(value);
  return value;
}

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 1,
    requestTimeoutMs: 5000,
    consistencyWaitMs: 3000,
    // Everything a service or gateway might log, for the scan of the logs.
    serviceLogLevel: 'debug',
    gatewayLogLevel: 'debug',
  });
  capture = await NatsCapture.start(stack);
  database = new Client({ connectionString: stack.databaseUrl });
  await database.connect();
  platform = await ReadYourWritesClient.connect(
    stack.nats.url,
    'test-runner',
    createLogger('test-runner', 'silent'),
  );
  [admin, owner, otherMember, outsider] = await Promise.all([
    signIn(stack, uniqueEmail('admin')),
    signIn(stack, uniqueEmail('owner')),
    signIn(stack, uniqueEmail('other')),
    signIn(stack, uniqueEmail('outsider')),
  ]);
  world = await buildWorld(stack, admin, owner);
  seen(await joinWorld(stack, world, otherMember));
  seen(
    expectStatus(
      await stack.request({
        method: 'POST',
        path: '/v1/organizations',
        token: outsider.token,
        json: { name: 'Elsewhere' },
      }),
      201,
      'create an organization of their own',
    ),
  );
}, 120_000);

afterAll(async () => {
  await database?.end();
  await platform?.close();
  await capture?.stop();
  await stack?.stop();
}, 60_000);

// --- a careful client ----------------------------------------------------------------------------

/** The newest position any reply named: every request waits for it, as a careful client does. */
let newest: Position | undefined;

function seen(response: HttpResponse): HttpResponse {
  const header = response.headers.get(HTTP_HEADERS.consistencyPosition);
  const position = header ? parsePosition(header) : null;
  if (position) {
    newest = newest ? maxPosition(newest, position) : position;
    platform.saw(position);
  }
  return response;
}

interface Credentials {
  token?: string;
  headers: Record<string, string>;
}

/** A session acting in an organization (the world's by default), as X-Org-Id names it. */
function session(user: SignedInUser, organizationId = world.organizationId): Credentials {
  return { token: user.token, headers: { [ORGANIZATION_HEADER]: organizationId } };
}

function withKey(key: string): Credentials {
  return { headers: { [API_KEY_HEADER]: key } };
}

async function send(as: Credentials, request: Omit<HttpRequest, 'token'>): Promise<HttpResponse> {
  return seen(
    await stack.request({
      ...request,
      token: as.token,
      headers: {
        ...(newest ? { [HTTP_HEADERS.consistencyPosition]: formatPosition(newest) } : {}),
        ...as.headers,
        ...request.headers,
      },
    }),
  );
}

async function ok(as: Credentials, request: Omit<HttpRequest, 'token'>): Promise<HttpResponse> {
  return expectStatus(await send(as, request), 200, `${request.method} ${request.path}`);
}

function secretPath(name: string, rest = '', orgWide = false): string {
  return `/v1/secrets/${encodeURIComponent(name)}${rest}${orgWide ? '?orgWide=true' : ''}`;
}

const reveal = (as: Credentials, name: string, json: Record<string, unknown> = {}) =>
  send(as, { method: 'POST', path: secretPath(name, '/reveal'), json });

/** `secrets-vault.v1.resolveSecret` as the stack's test resolver (or with another credential). */
async function resolve(
  request: { organizationId: string; userId: string; name: string; usage?: string },
  serviceCredential = stack.secretsResolver.credential,
): Promise<ServiceReply<ResolvedSecretView>> {
  return platform.request<ResolvedSecretView>(
    SECRETS_VAULT_SUBJECTS.resolveSecret,
    { usage: stack.secretsResolver.usage, ...request },
    null,
    { serviceCredential },
  );
}

/** The ServiceError a promise fails with (it must fail). */
async function failureOf(promise: Promise<unknown>): Promise<ServiceError> {
  const outcome = await promise.then(
    () => new Error('expected a failure'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof ServiceError)) throw outcome;
  return outcome;
}

/** Runs one statement on the stack's database, as someone with direct access would. */
async function query<Row extends object>(sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await database.query<Row>(sql, params)).rows;
}

/** The rows of the vault's data keys and value keys: a write that seals a value adds to them. */
async function keyStoreRowCounts(): Promise<{ dataKeys: number; valueKeys: number }> {
  const [counts] = await query<{ dataKeys: number; valueKeys: number }>(
    `SELECT (SELECT count(*)::int FROM "${stack.keyStoreSchema}".data_keys) AS "dataKeys",
            (SELECT count(*)::int FROM "${stack.keyStoreSchema}".value_keys) AS "valueKeys"`,
  );
  return counts;
}

/** Sends the request and checks that it wrote nothing at all, in the events or the key store. */
async function expectNothingWritten(
  as: Credentials,
  request: Omit<HttpRequest, 'token'>,
): Promise<HttpResponse> {
  const before = await stack.head();
  const keysBefore = await keyStoreRowCounts();
  const response = await send(as, request);
  expect(await stack.head()).toEqual(before);
  expect(await keyStoreRowCounts()).toEqual(keysBefore);
  return response;
}

function expectError(response: HttpResponse, status: number, code?: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toMatchObject({
    status,
    ...(code ? { code } : {}),
  });
  expect(response.body.error.requestId).toBe(response.headers.get('x-request-id'));
}

// --- the README walk-through ----------------------------------------------------------------------

describe('the README walk-through', () => {
  it('a new user sets, lists, reveals, rotates and deletes secrets as curl does, and sees who revealed them', async () => {
    const ada = await signIn(stack, uniqueEmail('ada'));
    const organization = seen(
      expectStatus(
        await stack.request({
          method: 'POST',
          path: '/v1/organizations',
          token: ada.token,
          json: { name: 'Acme' },
        }),
        201,
        'create an organization',
      ),
    );
    // curl sends no X-Org-Id and, without -d, no body: the session's active organization it is.
    const asAda: Credentials = { token: ada.token, headers: {} };
    const [first, second] = [canary(), canary()];
    const created = await ok(asAda, {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'openai-api-key', value: first, category: 'provider', scope: 'all' },
    });
    // The reference's reply to a create or rotate is "Updated.": here next to the metadata.
    expect(created.body.message).toBe('Updated.');
    expect(created.body.data).toMatchObject({
      name: 'OPENAI_API_KEY',
      orgWide: false,
      ownerUserId: ada.userId,
      category: 'provider',
      scope: 'all',
      version: 1,
    });
    const listed = await ok(asAda, { method: 'GET', path: '/v1/secrets?userOnly=true' });
    expect(listed.body.data.map(({ name }: { name: string }) => name)).toEqual(['OPENAI_API_KEY']);
    expect(JSON.stringify(listed.body)).not.toContain(first);
    // `secret list --category provider`, and the old service's `GET /secrets?scope=`.
    await ok(asAda, {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'GITHUB_TOKEN', value: canary(), category: 'tool', scope: 'tools' },
    });
    const namesListed = async (filter: string) =>
      (await ok(asAda, { method: 'GET', path: `/v1/secrets?${filter}` })).body.data.map(
        ({ name }: { name: string }) => name,
      );
    expect(await namesListed('category=provider')).toEqual(['OPENAI_API_KEY']);
    expect(await namesListed('category=tool')).toEqual(['GITHUB_TOKEN']);
    expect(await namesListed('scope=tools')).toEqual(['GITHUB_TOKEN']);
    expect(await namesListed('scope=all&category=provider')).toEqual(['OPENAI_API_KEY']);
    expect(await namesListed('scope=sandboxes')).toEqual([]);

    const revealed = await ok(asAda, { method: 'POST', path: '/v1/secrets/OPENAI_API_KEY/reveal' });
    expect(revealed.body.data).toMatchObject({ name: 'OPENAI_API_KEY', version: 1, value: first });
    const rotated = await ok(asAda, {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'OPENAI_API_KEY', value: second },
    });
    expect(rotated.body).toMatchObject({ message: 'Updated.', data: { version: 2 } });
    const versions = await ok(asAda, {
      method: 'GET',
      path: '/v1/secrets/OPENAI_API_KEY/versions',
    });
    expect(versions.body.data.map(({ version }: { version: number }) => version)).toEqual([2, 1]);

    const key = await createApiKey(stack, ada, organization.body.data.id, {
      name: 'deploy',
      scopes: ['secret:read', 'secret:reveal'],
    });
    seen(key.reply);
    const byKey = await ok(
      { token: key.key, headers: {} },
      { method: 'POST', path: '/v1/secrets/OPENAI_API_KEY/reveal' },
    );
    expect(byKey.body.data.value).toBe(second);
    const log = await ok(asAda, { method: 'GET', path: '/v1/secrets/OPENAI_API_KEY/access-log' });
    expect(log.body.data).toEqual([
      expect.objectContaining({
        kind: 'revealed',
        version: 2,
        userId: ada.userId,
        apiKeyId: key.id,
      }),
      expect.objectContaining({ kind: 'revealed', version: 1, userId: ada.userId, apiKeyId: null }),
    ]);

    await ok(asAda, { method: 'DELETE', path: '/v1/secrets/OPENAI_API_KEY' });
    const deleted = await ok(asAda, { method: 'GET', path: '/v1/secrets?deleted=true' });
    expect(deleted.body.data).toEqual([expect.objectContaining({ name: 'OPENAI_API_KEY' })]);
    await ok(asAda, { method: 'POST', path: '/v1/secrets/OPENAI_API_KEY/undelete' });
    await ok(asAda, { method: 'DELETE', path: '/v1/secrets/OPENAI_API_KEY' });
    await ok(asAda, { method: 'POST', path: '/v1/secrets/OPENAI_API_KEY/destroy' });
    expectError(
      await send(asAda, { method: 'POST', path: '/v1/secrets/OPENAI_API_KEY/reveal' }),
      404,
    );
  });
});

// --- who may do what ------------------------------------------------------------------------------

type Target = 'private' | 'shared';
type Operation = 'list' | 'get' | 'reveal' | 'delete' | 'write';

/** The owner's private secret, and the organization's, of names no other test uses. */
const MATRIX_NAMES: Record<Target, string> = { private: 'MATRIX_PRIVATE', shared: 'MATRIX_SHARED' };

const NEEDED_SCOPE: Record<Operation, Scope> = {
  list: 'secret:read',
  get: 'secret:read',
  reveal: 'secret:reveal',
  delete: 'secret:write',
  write: 'secret:write',
};

/**
 * Who each caller is to the world's organization and the owner's secret. Keys act as their owner:
 * the owner's keys with narrower scopes show a key never exceeds its owner (a Member) either.
 */
interface PersonaSpec {
  is: 'owner' | 'member' | 'admin' | 'outsider';
  scopes?: readonly Scope[];
}
const PERSONAS = {
  owner: { is: 'owner' },
  otherMember: { is: 'member' },
  admin: { is: 'admin' },
  nonMember: { is: 'outsider' },
  adminKey: { is: 'admin', scopes: ['*'] },
  ownerKey: { is: 'owner', scopes: ['*'] },
  ownerReadKey: { is: 'owner', scopes: ['secret:read'] },
  ownerRevealKey: { is: 'owner', scopes: ['secret:reveal'] },
  ownerWriteKey: { is: 'owner', scopes: ['secret:write'] },
  ownerSandboxKey: { is: 'owner', scopes: ['sandbox:*'] },
} as const satisfies Record<string, PersonaSpec>;
type Persona = keyof typeof PERSONAS;

interface Expectation {
  status: number;
  code?: string;
  /** for a list: whether the secret is in it */
  listed?: boolean;
}

/**
 * The spec's rules: a private secret is its owner's alone (anyone else: 404, Admins too; a write
 * of that name makes the writer's own); an org-shared one is listed and read by every member,
 * written and deleted by Admins, revealed by Admins or, when the policy says so, by Members. The
 * gateway refuses outsiders and keys without the scope before the vault is asked.
 */
function expected(
  persona: Persona,
  target: Target,
  operation: Operation,
  membersMayReveal: boolean,
): Expectation {
  const { is, scopes }: PersonaSpec = PERSONAS[persona];
  if (is === 'outsider') return { status: 403, code: 'not_a_member' };
  if (scopes && !grantsScope(scopes, NEEDED_SCOPE[operation])) {
    return { status: 403, code: 'insufficient_scope' };
  }
  if (target === 'private') {
    if (operation === 'list') return { status: 200, listed: is === 'owner' };
    if (operation === 'write') return { status: 200 };
    return is === 'owner' ? { status: 200 } : { status: 404 };
  }
  switch (operation) {
    case 'list':
      return { status: 200, listed: true };
    case 'get':
      return { status: 200 };
    case 'reveal':
      return is === 'admin' || membersMayReveal ? { status: 200 } : { status: 403 };
    case 'delete':
    case 'write':
      return is === 'admin' ? { status: 200 } : { status: 403, code: 'admin_required' };
  }
}

function matrixRequest(operation: Operation, target: Target): Omit<HttpRequest, 'token'> {
  const name = MATRIX_NAMES[target];
  const orgWide = target === 'shared';
  switch (operation) {
    case 'list':
      return { method: 'GET', path: '/v1/secrets' };
    case 'get':
      return { method: 'GET', path: secretPath(name, '', orgWide) };
    case 'reveal':
      return {
        method: 'POST',
        path: secretPath(name, '/reveal'),
        json: orgWide ? { orgWide } : {},
      };
    case 'delete':
      return { method: 'DELETE', path: secretPath(name, '', orgWide) };
    case 'write':
      return {
        method: 'POST',
        path: '/v1/secrets',
        json: { name, value: canary(), ...(orgWide ? { orgWide } : {}) },
      };
  }
}

function matrixCases(operations: readonly Operation[], membersMayReveal: boolean) {
  return operations.flatMap((operation) =>
    (['private', 'shared'] as const).flatMap((target) =>
      (Object.keys(PERSONAS) as Persona[]).map((persona) => ({
        operation,
        target,
        persona,
        ...expected(persona, target, operation, membersMayReveal),
      })),
    ),
  );
}

describe('the access matrix', () => {
  const credentials = {} as Record<Persona, Credentials>;
  /** the value each matrix secret was created with (writes come last) */
  const values = {} as Record<Target, string>;

  beforeAll(async () => {
    values.private = canary();
    values.shared = canary();
    await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: MATRIX_NAMES.private, value: values.private },
    });
    await ok(session(admin), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: MATRIX_NAMES.shared, value: values.shared, orgWide: true },
    });
    for (const persona of Object.keys(PERSONAS) as Persona[]) {
      const { is, scopes }: PersonaSpec = PERSONAS[persona];
      const user = { owner, member: otherMember, admin, outsider }[is];
      if (!scopes) {
        credentials[persona] = session(user);
        continue;
      }
      const created = await createApiKey(stack, user, world.organizationId, {
        name: persona,
        scopes,
      });
      seen(created.reply);
      credentials[persona] = withKey(created.key);
    }
  });

  async function check({
    operation,
    target,
    persona,
    status,
    code,
    listed,
  }: ReturnType<typeof matrixCases>[number]): Promise<void> {
    const before = await stack.head();
    const keysBefore = await keyStoreRowCounts();
    const request = matrixRequest(operation, target);
    const response = await send(credentials[persona], request);
    expect({ status: response.status, code: response.body?.error?.code }).toMatchObject({
      status,
      ...(code ? { code } : {}),
    });
    if (status >= 400 || operation === 'list' || operation === 'get') {
      // Refusals and reads write nothing: no event, and no key sealed a value.
      const requestId = response.headers.get('x-request-id')!;
      expect(await stack.writtenBy(requestId, before)).toEqual([]);
      expect(await keyStoreRowCounts()).toEqual(keysBefore);
    }
    if (listed !== undefined) {
      const names = (response.body.data as { name: string; orgWide: boolean }[])
        .filter(({ orgWide }) => orgWide === (target === 'shared'))
        .map(({ name }) => name);
      expect(names.includes(MATRIX_NAMES[target])).toBe(listed);
    }
    if (status !== 200) return;
    const { is } = PERSONAS[persona] as PersonaSpec;
    const writer = { owner, member: otherMember, admin, outsider }[is];
    switch (operation) {
      case 'reveal':
        expect(response.body.data).toMatchObject({
          name: MATRIX_NAMES[target],
          orgWide: target === 'shared',
          value: values[target],
        });
        break;
      case 'write': {
        // A private write is always the writer's own secret, whoever else has one of that name.
        expect(response.body.data).toMatchObject({
          name: MATRIX_NAMES[target],
          orgWide: target === 'shared',
          ownerUserId: target === 'shared' ? null : writer.userId,
        });
        if (target === 'shared' || writer === owner) {
          values[target] = (request.json as { value: string }).value;
        } else {
          // Gone again, so the next cases find only the owner's secret of that name.
          const path = secretPath(MATRIX_NAMES[target]);
          await ok(credentials[persona], { method: 'DELETE', path });
          await ok(credentials[persona], { method: 'POST', path: `${path}/destroy`, json: {} });
        }
        break;
      }
      case 'delete':
        // Back for the next case, by the same caller.
        await ok(credentials[persona], {
          method: 'POST',
          path: secretPath(MATRIX_NAMES[target], '/undelete'),
          json: target === 'shared' ? { orgWide: true } : {},
        });
        break;
    }
  }

  describe.each(matrixCases(['list', 'get', 'reveal', 'delete', 'write'], false))(
    '$operation of the $target secret as $persona',
    (matrixCase) => {
      it(`answers ${matrixCase.status}${matrixCase.code ? ` ${matrixCase.code}` : ''}`, () =>
        check(matrixCase));
    },
  );

  it('the org policy lets Members reveal org-shared secrets once an Admin allows it', async () => {
    const patched = await ok(session(admin), {
      method: 'PATCH',
      path: `/v1/organizations/${world.organizationId}`,
      json: { settings: { membersMayRevealOrgSecrets: true } },
    });
    expect(patched.body.data.settings.membersMayRevealOrgSecrets).toBe(true);
  });

  describe.each(matrixCases(['reveal'], true))(
    'with the policy, $operation of the $target secret as $persona',
    (matrixCase) => {
      it(`answers ${matrixCase.status}${matrixCase.code ? ` ${matrixCase.code}` : ''}`, () =>
        check(matrixCase));
    },
  );

  it('Admins list every member’s private secrets with all=true, never their values', async () => {
    const all = await ok(session(admin), { method: 'GET', path: '/v1/secrets?all=true' });
    const owned = all.body.data.find(
      (secret: { name: string; ownerUserId: string | null }) =>
        secret.name === MATRIX_NAMES.private && secret.ownerUserId === owner.userId,
    );
    expect(owned).toBeDefined();
    expect(JSON.stringify(all.body)).not.toContain(values.private);
    expectError(
      await send(session(otherMember), { method: 'GET', path: '/v1/secrets?all=true' }),
      403,
      'admin_required',
    );
  });
});

// --- versions, delete, undelete, destroy ---------------------------------------------------------

describe('versions', () => {
  const name = 'VERSIONED_SECRET';
  const written: string[] = [];

  it(`12 writes keep the last ${SECRET_VERSIONS_KEPT}, newest first; an old kept version can be revealed`, async () => {
    for (let write = 0; write < 12; write++) {
      written.push(canary());
      const set = await ok(session(owner), {
        method: 'POST',
        path: '/v1/secrets',
        json: { name: 'versioned-secret', value: written.at(-1) },
      });
      expect(set.body.data).toMatchObject({ name, version: write + 1, status: 'active' });
    }
    const versions = await ok(session(owner), {
      method: 'GET',
      path: secretPath(name, '/versions'),
    });
    expect(versions.body.data.map(({ version }: { version: number }) => version)).toEqual([
      12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
    ]);
    expect(versions.body.data[0]).toMatchObject({ current: true, createdBy: owner.userId });
    expect(versions.body.meta.hasMore).toBe(false);

    expect((await reveal(session(owner), name)).body.data).toMatchObject({
      version: 12,
      value: written[11],
    });
    const oldest = await reveal(session(owner), name, { version: 3 });
    expect(oldest.status).toBe(200);
    expect(oldest.body.data).toMatchObject({ version: 3, value: written[2] });
    // Retired versions are gone for good.
    expectError(await reveal(session(owner), name, { version: 2 }), 404);
  });

  it('a deleted secret is hidden until undeleted; after destroy it cannot come back, and the name is free again', async () => {
    await ok(session(owner), { method: 'DELETE', path: secretPath(name) });
    expectError(await reveal(session(owner), name), 404);
    // Its metadata stays readable, so it can be found to undelete.
    expect(
      (await ok(session(owner), { method: 'GET', path: secretPath(name) })).body.data,
    ).toMatchObject({ name, status: 'deleted' });
    const listed = await ok(session(owner), { method: 'GET', path: '/v1/secrets' });
    expect(listed.body.data.map((secret: { name: string }) => secret.name)).not.toContain(name);
    const deleted = await ok(session(owner), { method: 'GET', path: '/v1/secrets?deleted=true' });
    expect(deleted.body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ name, status: 'deleted' })]),
    );

    await ok(session(owner), { method: 'POST', path: secretPath(name, '/undelete'), json: {} });
    expect((await reveal(session(owner), name)).body.data.value).toBe(written[11]);

    await ok(session(owner), { method: 'DELETE', path: secretPath(name) });
    const destroyed = await ok(session(owner), {
      method: 'POST',
      path: secretPath(name, '/destroy'),
      json: {},
    });
    expect(destroyed.body.data).toMatchObject({ name, destroyed: true });
    expectError(
      await send(session(owner), { method: 'POST', path: secretPath(name, '/undelete'), json: {} }),
      404,
    );
    expectError(await reveal(session(owner), name, { version: 12 }), 404);
    expectError(
      await send(session(owner), { method: 'GET', path: secretPath(name, '/versions') }),
      404,
    );

    const again = canary();
    const recreated = await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name, value: again },
    });
    expect(recreated.body.data).toMatchObject({ name, status: 'active' });
    expect((await reveal(session(owner), name)).body.data.value).toBe(again);
    const versions = await ok(session(owner), {
      method: 'GET',
      path: secretPath(name, '/versions'),
    });
    expect(versions.body.data).toHaveLength(1);
  });
});

// --- bad input -----------------------------------------------------------------------------------

describe('bad input', () => {
  const valid = () => ({ name: 'BAD_INPUT', value: canary() });
  const oversize = 'x'.repeat(SECRET_VALUE_MAX_BYTES + 1);

  it.each<[string, Record<string, unknown>]>([
    ['an empty value', { ...valid(), value: '' }],
    ['a value one byte over 64 KiB', { ...valid(), value: oversize }],
    [
      'a value over 64 KiB in UTF-8 only',
      { ...valid(), value: 'é'.repeat(SECRET_VALUE_MAX_BYTES / 2 + 1) },
    ],
    ['a value that is not text', { ...valid(), value: 42 }],
    ['a value that is not valid Unicode', { ...valid(), value: `${canary()}\ud800` }],
    ['no value', { name: 'BAD_INPUT' }],
    ['a name that normalizes to nothing', { ...valid(), name: '---' }],
    ['an empty name', { ...valid(), name: '' }],
    ['a name with invalid characters', { ...valid(), name: 'MY$SECRET' }],
    ['a name over 128 characters', { ...valid(), name: 'N'.repeat(129) }],
    ['an unknown category', { ...valid(), category: 'password' }],
    ['an unknown scope', { ...valid(), scope: 'everywhere' }],
    ['orgWide that is not a boolean', { ...valid(), orgWide: 'yes' }],
    ['an unknown field', { ...valid(), owner: 'someone' }],
  ])('%s: 400 in the error envelope, nothing written', async (_, json) => {
    const response = await expectNothingWritten(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json,
    });
    expectError(response, 400);
    expect(JSON.stringify(response.body)).not.toContain('plaintext-canary');
  });

  it.each([
    ['an unknown category', 'category=password'],
    ['an unknown scope', 'scope=everywhere'],
    ['an empty scope', 'scope='],
    ['a scope given twice', 'scope=tools&scope=agents'],
  ])('a list filter with %s: 400 in the error envelope, nothing written', async (_, filter) => {
    const response = await expectNothingWritten(session(owner), {
      method: 'GET',
      path: `/v1/secrets?${filter}`,
    });
    expectError(response, 400);
    expect(Object.keys(response.body.error.details.fields)).toEqual([filter.split('=')[0]]);
  });

  it('a value of exactly 64 KiB is taken', async () => {
    const marker = canary();
    const value = `${marker}${'v'.repeat(SECRET_VALUE_MAX_BYTES - marker.length)}`;
    expect(Buffer.byteLength(value)).toBe(SECRET_VALUE_MAX_BYTES);
    await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'LARGE', value },
    });
    expect((await reveal(session(owner), 'LARGE')).body.data.value).toBe(value);
  });

  it.each([
    ['empty once normalized', '---'],
    ['with invalid characters', 'MY$SECRET'],
    ['over 128 characters', 'N'.repeat(129)],
    ['absurdly long', 'x'.repeat(2000)],
  ])(
    'a path name %s names nothing: 404, or 414 past the router’s bound; nothing written',
    async (_, name) => {
      for (const request of [
        { method: 'GET', path: secretPath(name) },
        { method: 'POST', path: secretPath(name, '/reveal'), json: {} },
        { method: 'DELETE', path: secretPath(name) },
      ] as const) {
        const response = await expectNothingWritten(session(owner), request);
        expectError(response, response.status === 414 ? 414 : 404);
      }
    },
  );

  it('a name of 128 characters works in every route', async () => {
    const name = `LONG_${'N'.repeat(123)}`;
    await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name, value: canary() },
    });
    await ok(session(owner), { method: 'GET', path: secretPath(name) });
    await ok(session(owner), { method: 'GET', path: secretPath(name, '/versions') });
    expect((await reveal(session(owner), name)).status).toBe(200);
  });
});

// --- the access log ------------------------------------------------------------------------------

describe('the access log', () => {
  it('names who revealed which version when, and the API key a reveal came through', async () => {
    const name = 'AUDITED_SECRET';
    await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name, value: canary() },
    });
    const key = await createApiKey(stack, owner, world.organizationId, {
      name: 'audited',
      scopes: ['secret:reveal', 'secret:read'],
    });
    seen(key.reply);
    const start = Date.now();
    const bySession = await reveal(session(owner), name);
    const byKey = await reveal(withKey(key.key), name);
    expect([bySession.status, byKey.status]).toEqual([200, 200]);

    const log = await ok(withKey(key.key), {
      method: 'GET',
      path: secretPath(name, '/access-log'),
    });
    expect(log.body.data).toEqual([
      expect.objectContaining({
        kind: 'revealed',
        version: 1,
        userId: owner.userId,
        apiKeyId: key.id,
        requestId: byKey.headers.get('x-request-id'),
      }),
      expect.objectContaining({
        kind: 'revealed',
        version: 1,
        userId: owner.userId,
        apiKeyId: null,
        requestId: bySession.headers.get('x-request-id'),
      }),
    ]);
    for (const entry of log.body.data) {
      expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(start - 1000);
      expect(Date.parse(entry.at)).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(JSON.stringify(log.body)).not.toContain('plaintext-canary');
  });
});

// --- resolution for platform services -----------------------------------------------------------

describe('resolution over NATS', () => {
  const name = 'RESOLVED_SECRET';
  const values = {} as Record<'user' | 'organization', string>;

  beforeAll(async () => {
    values.organization = canary();
    values.user = canary();
    await ok(session(admin), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name, value: values.organization, orgWide: true, scope: 'tools' },
    });
    await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name, value: values.user, scope: 'all' },
    });
  });

  it('the user’s own secret wins over the org-shared one; others get the org-shared one', async () => {
    const forOwner = await resolve({
      organizationId: world.organizationId,
      userId: owner.userId,
      name,
    });
    expect(forOwner.data).toMatchObject({ name, source: 'user', value: values.user });
    const forOther = await resolve({
      organizationId: world.organizationId,
      userId: otherMember.userId,
      name: 'resolved-secret',
    });
    expect(forOther.data).toMatchObject({
      name,
      source: 'organization',
      value: values.organization,
    });
  });

  it('is audited in the access log without the value', async () => {
    const log = await ok(session(owner), { method: 'GET', path: secretPath(name, '/access-log') });
    expect(log.body.data[0]).toMatchObject({
      kind: 'resolved',
      userId: owner.userId,
      resolver: stack.secretsResolver.service,
    });
    expect(JSON.stringify(log.body)).not.toContain(values.user);
  });

  it('refuses a service it does not know, and users outside the organization, writing nothing', async () => {
    const request = { organizationId: world.organizationId, userId: owner.userId, name };
    const before = await stack.head();
    const keysBefore = await keyStoreRowCounts();
    for (const credential of [
      'test-runner:not-the-token',
      `someone-else:${stack.secretsResolver.credential.split(':')[1]}`,
      '',
    ]) {
      const refused = await failureOf(resolve(request, credential));
      expect({ credential, kind: refused.kind, code: refused.code }).toEqual({
        credential,
        kind: 'forbidden',
        code: 'resolver_not_authorized',
      });
    }
    const stranger = await failureOf(resolve({ ...request, userId: outsider.userId }));
    expect(stranger.kind).toBe('not_found');
    expect(await stack.head()).toEqual(before);
    expect(await keyStoreRowCounts()).toEqual(keysBefore);
  });
});

// --- the transport key ------------------------------------------------------------------------

describe('the transport key', () => {
  it('when the vault’s transport key is replaced, the gateway fetches the new one and retries once', async () => {
    // The gateway holds the vault's current key once it has written a value.
    await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'BEFORE_NEW_TRANSPORT_KEY', value: canary() },
    });
    // An operator replaces the pair: without it in the key store, the vault makes a new one.
    await query(`DELETE FROM "${stack.keyStoreSchema}".transport_keys`);
    await stack.restartSecretsVault();

    const value = canary();
    const set = await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'AFTER_NEW_TRANSPORT_KEY', value },
    });
    expect((await reveal(session(owner), 'AFTER_NEW_TRANSPORT_KEY')).body.data.value).toBe(value);
    await capture.settle();
    const requestId = set.headers.get('x-request-id')!;
    const sent = (subject: string) =>
      capture.messages.filter(
        (message) => message.subject === subject && message.text.includes(requestId),
      );
    expect(sent(SECRETS_VAULT_SUBJECTS.getTransportKey)).toHaveLength(1);
    expect(sent(SECRETS_VAULT_SUBJECTS.setSecret)).toHaveLength(2);
  });
});

// --- master-key rotation -----------------------------------------------------------------------

const WORKSPACE_ROOT = resolvePath(__dirname, '../../..');
const ROTATE_MASTER_KEY_SOURCE = 'apps/secrets-vault/src/rotate-master-key.ts';

/**
 * `npm run secrets:rotate-master-key` as an operator runs it, with the vault's settings; from
 * source, as the stack runs its services, rather than after a build of the whole repository.
 */
async function rotateMasterKeyCommand(
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', ROTATE_MASTER_KEY_SOURCE],
      { cwd: WORKSPACE_ROOT, env: { ...process.env, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** The master key ids that the key store's live data keys and its transport key name. */
async function storedMasterKeyIds(): Promise<string[]> {
  const rows = await query<{ id: string }>(
    `SELECT DISTINCT master_key_id AS id FROM (
       SELECT master_key_id FROM "${stack.keyStoreSchema}".data_keys WHERE wrapped_key IS NOT NULL
       UNION ALL SELECT master_key_id FROM "${stack.keyStoreSchema}".transport_keys) AS stored
     ORDER BY id`,
  );
  return rows.map(({ id }) => id);
}

/** A master key as configured (base64) and as its bytes would print (hex). */
function keyMaterial(base64Key: string): string[] {
  return [base64Key, Buffer.from(base64Key, 'base64').toString('hex')];
}

describe('master-key rotation', () => {
  const names = { private: 'ROTATION_PRIVATE', shared: 'ROTATION_SHARED' } as const;
  const values = { private: [] as string[], shared: [] as string[] };

  /** Reveals every version written, over HTTP, as the owner and as the Admin. */
  async function expectEveryValueRevealed(): Promise<void> {
    const revealed = async (as: Credentials, name: string, orgWide: boolean, version: number) =>
      (
        await ok(as, {
          method: 'POST',
          path: secretPath(name, '/reveal'),
          json: { version, ...(orgWide ? { orgWide } : {}) },
        })
      ).body.data.value;
    for (const [index, value] of values.private.entries()) {
      expect(await revealed(session(owner), names.private, false, index + 1)).toBe(value);
    }
    for (const [index, value] of values.shared.entries()) {
      expect(await revealed(session(admin), names.shared, true, index + 1)).toBe(value);
    }
  }

  async function write(target: 'private' | 'shared'): Promise<void> {
    const value = canary();
    await ok(target === 'private' ? session(owner) : session(admin), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: names[target], value, ...(target === 'shared' ? { orgWide: true } : {}) },
    });
    values[target].push(value);
  }

  beforeAll(async () => {
    await write('private');
    await write('shared');
  });

  it('the package’s command is the one run here', () => {
    const { scripts } = JSON.parse(readFileSync(`${WORKSPACE_ROOT}/package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts['secrets:rotate-master-key']).toContain(
      ROTATE_MASTER_KEY_SOURCE.replace(/\.ts$/, '.js'),
    );
  });

  it('a vault started with a master key that did not wrap the stored keys exits, naming the key ids and no key', async () => {
    const configured = stack.secretsVaultSettings.SECRETS_MASTER_KEY;
    const [storedId] = await storedMasterKeyIds();
    const wrongKey = randomBytes(32).toString('base64');

    const failure = await startService('secrets-vault', {
      ...stack.secretsVaultSettings,
      SECRETS_MASTER_KEY: wrongKey,
    }).then(
      async (started) => {
        await started.stop();
        return new Error('the vault started with a wrong master key');
      },
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(ServiceExitedError);
    const { exitCode, stdout, stderr } = failure as ServiceExitedError;
    expect(exitCode).toBe(1);
    const printed = `${stdout}\n${stderr}`;
    const named = new RegExp(
      `SECRETS_MASTER_KEY does not match the stored data keys: they are wrapped with master key ` +
        `${storedId}, which is neither SECRETS_MASTER_KEY \\((cfg:[0-9a-f]{16})\\) nor in ` +
        'SECRETS_RETIRED_MASTER_KEYS',
    );
    expect(printed).toMatch(named);
    expect(named.exec(printed)![1]).not.toBe(storedId);
    for (const material of [...keyMaterial(configured), ...keyMaterial(wrongKey)]) {
      expect(printed).not.toContain(material);
    }
    // The vault that runs with the right key goes on answering.
    await expectEveryValueRevealed();
  });

  it('the operator rotates onto a new master key while the vault runs; every secret stays revealable, then without the old key', async () => {
    const oldKey = stack.secretsVaultSettings.SECRETS_MASTER_KEY;
    const newKey = randomBytes(32).toString('base64');
    const [oldId, ...others] = await storedMasterKeyIds();
    expect(others).toEqual([]);
    const [{ count: liveDataKeys }] = await query<{ count: number }>(
      `SELECT count(*)::int AS count FROM "${stack.keyStoreSchema}".data_keys
        WHERE wrapped_key IS NOT NULL`,
    );
    expect(liveDataKeys).toBeGreaterThanOrEqual(2);
    const since = await stack.head();

    // 1. The new key wraps, the old one still unwraps: what was stored stays readable, and what is
    //    written meanwhile too.
    await stack.restartSecretsVault({
      SECRETS_MASTER_KEY: newKey,
      SECRETS_RETIRED_MASTER_KEYS: oldKey,
    });
    await expectEveryValueRevealed();
    await write('private');
    await write('shared');

    // 2. The operator's command rewraps every stored key.
    const rotation = await rotateMasterKeyCommand(stack.secretsVaultSettings);
    expect(rotation).toMatchObject({ code: 0 });
    const summary =
      /Rewrapped (\d+) organization data key\(s\) and (\d+) transport key\(s\) with master key (cfg:[0-9a-f]{16})/.exec(
        rotation.stdout,
      );
    expect(summary).not.toBeNull();
    const [, dataKeys, transportKeys, newId] = summary!;
    expect({ dataKeys: Number(dataKeys), transportKeys: Number(transportKeys) }).toEqual({
      dataKeys: liveDataKeys,
      transportKeys: 1,
    });
    expect(newId).not.toBe(oldId);
    expect(await storedMasterKeyIds()).toEqual([newId]);
    for (const material of [...keyMaterial(oldKey), ...keyMaterial(newKey)]) {
      expect(`${rotation.stdout}\n${rotation.stderr}`).not.toContain(material);
    }
    const rewrapped = (await stack.store.readAll({ fromPosition: since ?? 'start' })).filter(
      ({ type }) => type === 'DataKeyRewrapped',
    );
    expect(rewrapped.map(({ data }) => [data.fromMasterKeyId, data.toMasterKeyId])).toEqual(
      Array.from({ length: liveDataKeys }, () => [oldId, newId]),
    );
    // Run again, it finds nothing left to rewrap.
    expect((await rotateMasterKeyCommand(stack.secretsVaultSettings)).stdout).toContain(
      'Rewrapped 0 organization data key(s) and 0 transport key(s)',
    );

    // 3. Without the old key, every value written before, during and after opens.
    await stack.restartSecretsVault({ SECRETS_RETIRED_MASTER_KEYS: '' });
    await expectEveryValueRevealed();
    await write('private');
    await expectEveryValueRevealed();
    expect(values.private).toHaveLength(3);
    expect(values.shared).toHaveLength(2);
  });
});

// --- crypto-shredding ----------------------------------------------------------------------------

/** Every row of the vault's key store that mentions `text`, as JSON. */
async function keyStoreRowsMentioning(text: string): Promise<string[]> {
  const tables = await query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1`,
    [stack.keyStoreSchema],
  );
  expect(tables.length).toBeGreaterThan(0);
  const found: string[] = [];
  for (const { name } of tables) {
    const rows = await query<{ row: string }>(
      `SELECT row_to_json(t)::text AS row FROM "${stack.keyStoreSchema}"."${name}" t`,
    );
    found.push(...rows.map(({ row }) => row).filter((row) => row.includes(text)));
  }
  return found;
}

/** Key material as row_to_json shows a bytea: `"\\x…"`. */
const KEY_BYTES = /"\\\\x[0-9a-f]+"/;

/** The value key ids of every sealed value in the organization's secret events. */
async function sealedValueKeyIds(organizationId: string): Promise<string[]> {
  const events = await stack.store.readAll({ filter: { streamNamePrefixes: ['secret-'] } });
  const created = new Set(
    events
      .filter(
        (event) => event.type === 'SecretCreated' && event.data.organizationId === organizationId,
      )
      .map((event) => event.data.secretId as string),
  );
  return events
    .filter(
      (event) =>
        (event.type === 'SecretCreated' || event.type === 'SecretRotated') &&
        created.has(event.data.secretId as string),
    )
    .map((event) => (event.data.value as { keyId: string }).keyId);
}

describe('crypto-shredding', () => {
  it('after an organization is deleted, its secrets are unrecoverable, also from the events', async () => {
    const doomedAdmin = await signIn(stack, uniqueEmail('doomed'));
    const created = seen(
      expectStatus(
        await stack.request({
          method: 'POST',
          path: '/v1/organizations',
          token: doomedAdmin.token,
          json: { name: 'Doomed' },
        }),
        201,
        'create an organization',
      ),
    );
    const organizationId: string = created.body.data.id;
    const as = session(doomedAdmin, organizationId);
    const values = [canary(), canary(), canary()];
    await ok(as, {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'DOOMED', value: values[0] },
    });
    await ok(as, {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'DOOMED', value: values[1] },
    });
    await ok(as, {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'DOOMED_SHARED', value: values[2], orgWide: true },
    });
    expect((await reveal(as, 'DOOMED')).body.data.value).toBe(values[1]);
    const keyIds = await sealedValueKeyIds(organizationId);
    expect(keyIds).toHaveLength(3);
    // The key store holds the organization's keys until then: the checks below look at the right rows.
    for (const keyId of keyIds) expect(await keyStoreRowsMentioning(keyId)).toHaveLength(1);
    expect((await keyStoreRowsMentioning(organizationId)).join('\n')).toMatch(KEY_BYTES);

    await ok(
      { token: doomedAdmin.token, headers: {} },
      { method: 'DELETE', path: `/v1/organizations/${organizationId}` },
    );

    await eventually(
      async () => {
        const shredded = await stack.store.readAll({
          filter: { streamNamePrefixes: [`data-key-${organizationId}`] },
        });
        expect(shredded.map(({ type }) => type)).toContain('DataKeyDestroyed');
      },
      { timeoutMs: 10_000 },
    );
    // No key that could open the ciphertexts in the events is left: no value key, and at most a
    // tombstone row for the organization, without key material.
    for (const keyId of keyIds) expect(await keyStoreRowsMentioning(keyId)).toEqual([]);
    for (const row of await keyStoreRowsMentioning(organizationId))
      expect(row).not.toMatch(KEY_BYTES);
    // The ciphertexts themselves stay, as history.
    expect(await sealedValueKeyIds(organizationId)).toEqual(keyIds);

    expectError(await reveal(as, 'DOOMED'), 403, 'not_a_member');
    const resolved = await failureOf(
      resolve({ organizationId, userId: doomedAdmin.userId, name: 'DOOMED_SHARED' }),
    );
    expect(resolved.kind).toBe('not_found');
  });

  it('a removed member’s private secrets are destroyed; the org-shared ones stay', async () => {
    const leaving = await signIn(stack, uniqueEmail('leaving'));
    seen(await joinWorld(stack, world, leaving));
    const set = await ok(session(leaving), {
      method: 'POST',
      path: '/v1/secrets',
      json: { name: 'LEAVING_SECRET', value: canary() },
    });
    const secretId: string = set.body.data.id;

    await ok(session(admin), {
      method: 'DELETE',
      path: `/v1/organizations/${world.organizationId}/members/${leaving.userId}`,
    });

    await eventually(
      async () => {
        const stream = await stack.store.readAll({
          filter: { streamNamePrefixes: [`secret-${secretId}`] },
        });
        expect(stream.map(({ type }) => type)).toContain('SecretDestroyed');
      },
      { timeoutMs: 10_000 },
    );
    const keyIds = (
      await stack.store.readAll({ filter: { streamNamePrefixes: [`secret-${secretId}`] } })
    )
      .filter(({ type }) => type === 'SecretCreated')
      .map((event) => (event.data.value as { keyId: string }).keyId);
    expect(keyIds).toHaveLength(1);
    expect(await keyStoreRowsMentioning(keyIds[0])).toEqual([]);
    const resolved = await failureOf(
      resolve({
        organizationId: world.organizationId,
        userId: leaving.userId,
        name: 'LEAVING_SECRET',
      }),
    );
    expect(['not_found', 'forbidden']).toContain(resolved.kind);
    // The organization's own secrets are untouched.
    expect((await reveal(session(admin), MATRIX_NAMES.shared, { orgWide: true })).status).toBe(200);
  });
});

// --- no plaintext anywhere -----------------------------------------------------------------------

describe('no plaintext value anywhere but in reveal and resolve replies', () => {
  it('finds none of the values written in the event store, the read models, the key store, NATS or the logs', async () => {
    // Writes with an Idempotency-Key (a replay, and a reveal that cannot be replayed) too.
    const idempotent = { name: 'IDEMPOTENT_SECRET', value: canary() };
    const headers = { 'idempotency-key': `secrets-${randomBytes(4).toString('hex')}` };
    const first = await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: idempotent,
      headers,
    });
    const replayed = await ok(session(owner), {
      method: 'POST',
      path: '/v1/secrets',
      json: idempotent,
      headers,
    });
    expect(replayed.headers.get('idempotency-replayed')).toBe('true');
    expect(replayed.body.data).toEqual(first.body.data);
    const revealHeaders = { 'idempotency-key': `reveal-${randomBytes(4).toString('hex')}` };
    const revealed = await send(session(owner), {
      method: 'POST',
      path: secretPath(idempotent.name, '/reveal'),
      json: {},
      headers: revealHeaders,
    });
    expect(revealed.body.data.value).toBe(idempotent.value);
    expectError(
      await send(session(owner), {
        method: 'POST',
        path: secretPath(idempotent.name, '/reveal'),
        json: {},
        headers: revealHeaders,
      }),
      409,
      'idempotency_replay_unavailable',
    );
    await capture.settle();

    const excluded = capture.repliesTo([
      SECRETS_VAULT_SUBJECTS.revealSecret,
      SECRETS_VAULT_SUBJECTS.resolveSecret,
    ]);
    const nats = capture.messages
      .filter((message) => !excluded.includes(message))
      .map(({ subject, text }) => `${subject} ${text}`)
      .join('\n');
    const rows = await everyRow(stack);
    // All each service printed, on stdout and stderr, JSON lines or not, and kept in full.
    expect(
      stack.services.flatMap(({ stdout, stderr }) => [stdout.dropped, stderr.dropped]),
    ).toEqual(stack.services.flatMap(() => [0, 0]));
    const logs = [
      ...stack.services.flatMap(({ stdout, stderr }) => [stdout.text, stderr.text]),
      ...stack.gatewayLogs,
    ].join('\n');

    // The scan looks for the right strings in the right places: reveal and resolve replies hold
    // values; the rows, NATS and the logs hold what this file did.
    const replies = excluded.map(({ text }) => text).join('\n');
    expect(canaries.length).toBeGreaterThan(40);
    expect(replies).toContain(idempotent.value);
    expect(rows).toContain('IDEMPOTENT_SECRET');
    expect(rows).toContain('SecretRevealed');
    expect(nats).toContain(SECRETS_VAULT_SUBJECTS.setSecret);
    expect(nats).toContain('IDEMPOTENT_SECRET');
    expect(logs).toContain(first.headers.get('x-request-id'));

    const found = (where: string, text: string) => ({
      where,
      values: canaries.filter((value) => text.includes(value)),
    });
    expect([
      found('event store, read models and key store', rows),
      found('NATS traffic other than reveal and resolve replies', nats),
      found('service and gateway logs', logs),
    ]).toEqual([
      { where: 'event store, read models and key store', values: [] },
      { where: 'NATS traffic other than reveal and resolve replies', values: [] },
      { where: 'service and gateway logs', values: [] },
    ]);
  });
});
