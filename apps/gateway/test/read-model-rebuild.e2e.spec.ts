import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RESOURCE_COLLECTIONS, RESOURCE_KINDS } from '@orgplane/contracts';
import { formatPosition, maxPosition, parsePosition, type Position } from '@orgplane/event-store';
import { eventually } from '@orgplane/testing';
import { Client } from 'pg';
import { ORGANIZATION_HEADER } from '../src/authorization/authorization.guard';
import { HTTP_HEADERS } from '../src/common/http-request-context';
import { REQUESTS } from './support/requests';
import { newSshPublicKey } from './support/ssh-keys';
import { Stack, type HttpRequest, type HttpResponse } from './support/stack';
import {
  buildWorld,
  joinWorld,
  registerResource,
  signIn,
  uniqueEmail,
  WORLD_SECRETS,
  type SignedInUser,
  type World,
} from './support/world';

/**
 * `npm run read-models:rebuild`, run as an operator runs it against a whole stack: after a workload
 * that touches every service, rebuilding every read model of every service from the event store
 * leaves each table exactly as it was, and no read model is left out.
 */

jest.setTimeout(180_000);

const WORKSPACE_ROOT = `${__dirname}/../../..`;

/**
 * The Stack's read-model schemas (`<prefix>_<12 hex>`), by service. Left out: the event store
 * (`e2e_events`), which a rebuild reads and never writes, and the vault's key store
 * (`e2e_vault_keys`), which is no read model: nothing rebuilds it from events (ADR 0010).
 */
const READ_MODEL_SCHEMA_PREFIXES: Record<string, string> = {
  e2e_identity: 'identity',
  e2e_membership: 'membership',
  e2e_keys: 'keys',
  e2e_vault: 'secrets-vault',
  e2e_resources: 'resources',
  e2e_audit: 'audit',
};
const NOT_READ_MODEL_SCHEMAS = ['e2e_events', 'e2e_vault_keys'];

/** The runners' bookkeeping, in every read-model schema. */
const BOOKKEEPING_TABLES = ['projection_checkpoints', 'projection_versions'];

/** Runners that react to events by appending others: not read models, so not rebuilt. */
const REACTIONS = [
  'keys.member_removal',
  'secrets-vault.member_removal',
  'resources.member_removal',
  'resources.resources_reactions',
];

/**
 * Tables in read-model schemas that no rebuild touches, and why: what is kept without events, and
 * the state of reactions (which append events: replaying them is not a read model's business).
 */
const MEMBER_REMOVAL_STATE = "the member-removal reaction's state";
const NOT_REBUILT_TABLES: Record<string, Record<string, string>> = {
  identity: {
    development_signing_keys:
      "development sign-in's session-token signing keys, kept without events",
  },
  keys: {
    api_key_usage: 'lastUsedAt per minute, published by the gateways without events (ADR 0009)',
    member_removal_owned_items: MEMBER_REMOVAL_STATE,
    member_removal_departed_members: MEMBER_REMOVAL_STATE,
    member_removal_deleted_organizations: MEMBER_REMOVAL_STATE,
  },
  'secrets-vault': {
    member_removal_owned_items: MEMBER_REMOVAL_STATE,
    member_removal_departed_members: MEMBER_REMOVAL_STATE,
    member_removal_deleted_organizations: MEMBER_REMOVAL_STATE,
  },
  resources: {
    member_removal_owned_items: MEMBER_REMOVAL_STATE,
    member_removal_departed_members: MEMBER_REMOVAL_STATE,
    member_removal_deleted_organizations: MEMBER_REMOVAL_STATE,
    member_removal_resources: MEMBER_REMOVAL_STATE,
    member_removal_members: MEMBER_REMOVAL_STATE,
  },
};

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 2,
    requestTimeoutMs: 5000,
    consistencyWaitMs: 5000,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

// --- a careful client ----------------------------------------------------------------------------

/** The newest position any reply named: each request waits for it, so each sees what came before. */
let newest: Position | undefined;

async function send(
  user: SignedInUser,
  organizationId: string,
  request: Omit<HttpRequest, 'token'>,
): Promise<HttpResponse> {
  const response = await stack.request({
    ...request,
    token: user.token,
    headers: {
      [ORGANIZATION_HEADER]: organizationId,
      ...(newest ? { [HTTP_HEADERS.consistencyPosition]: formatPosition(newest) } : {}),
      ...request.headers,
    },
  });
  const header = response.headers.get(HTTP_HEADERS.consistencyPosition);
  const position = header ? parsePosition(header) : null;
  if (position) {
    newest = newest ? maxPosition(newest, position) : position;
    stack.platform.saw(position);
  }
  if (response.status >= 300) {
    throw new Error(
      `${request.method} ${request.path}: ${response.status} ${JSON.stringify(response.body)}`,
    );
  }
  return response;
}

/** A route of the suite's request catalog, in `world`, as `user`. */
function call(
  user: SignedInUser,
  world: World,
  operation: keyof typeof REQUESTS,
): Promise<HttpResponse> {
  return send(user, world.organizationId, REQUESTS[operation](world));
}

/**
 * Something of everything: organizations (one deleted), invitations sent, resent, revoked and
 * accepted, a role changed, a member removed (whose keys, secrets and resources its reactions
 * handle) and one who left, API keys created, rotated and revoked, SSH keys, secrets set, rotated,
 * revealed, deleted, undeleted and destroyed, projects (one deleted while it owns keys),
 * workspaces, and registry resources registered by the platform, published, renamed and deleted.
 */
async function driveWorkload(): Promise<void> {
  const [admin, member, removed, leaver, doomedAdmin] = await Promise.all(
    ['admin', 'member', 'removed', 'leaver', 'doomed'].map((prefix) =>
      signIn(stack, uniqueEmail(prefix)),
    ),
  );
  const world = await buildWorld(stack, admin, member);
  for (const user of [removed, leaver]) await joinWorld(stack, world, user);
  const inWorld = (user: SignedInUser, request: Omit<HttpRequest, 'token'>) =>
    send(user, world.organizationId, request);

  await inWorld(admin, {
    method: 'PATCH',
    path: `/v1/organizations/${world.organizationId}`,
    json: { name: 'Rebuilt Inc.', settings: { membersMayRevealOrgSecrets: true } },
  });
  await call(admin, world, 'invitations.resend');
  await call(admin, world, 'invitations.revoke');
  await call(admin, world, 'invitations.create');
  await call(admin, world, 'members.changeRole');
  await call(member, world, 'organizations.switchCurrent');

  // A project that owns keys and a workspace, then goes: they move to the default project.
  const doomedProject = (
    await inWorld(admin, { method: 'POST', path: '/v1/projects', json: { name: 'Doomed' } })
  ).body.data;
  await inWorld(member, {
    method: 'POST',
    path: '/v1/api-keys',
    json: { name: 'Doomed key', scopes: ['org:read'], projectId: doomedProject.id },
  });
  await inWorld(member, {
    method: 'POST',
    path: '/v1/ssh-keys',
    json: { name: 'Doomed laptop', publicKey: newSshPublicKey(), projectId: doomedProject.id },
  });
  await call(admin, world, 'projects.update');
  await inWorld(admin, { method: 'DELETE', path: `/v1/projects/${doomedProject.id}` });

  await call(member, world, 'apiKeys.update');
  await call(member, world, 'apiKeys.rotate');
  const revoked = await inWorld(admin, {
    method: 'POST',
    path: '/v1/api-keys',
    json: { name: 'Short-lived', expiresIn: '30d' },
  });
  await inWorld(admin, { method: 'DELETE', path: `/v1/api-keys/${revoked.body.data.id}` });
  await call(member, world, 'sshKeys.add');
  await call(member, world, 'sshKeys.delete');

  await call(member, world, 'secrets.set');
  await inWorld(member, {
    method: 'POST',
    path: '/v1/secrets',
    json: { name: WORLD_SECRETS.active, value: 'rotated value' },
  });
  await inWorld(member, {
    method: 'POST',
    path: `/v1/secrets/${WORLD_SECRETS.active}/reveal`,
    json: { version: 2 },
  });
  await call(admin, world, 'secrets.undelete');
  await call(admin, world, 'secrets.delete');
  await call(member, world, 'secrets.destroy');
  await inWorld(admin, {
    method: 'POST',
    path: '/v1/secrets',
    json: { name: 'ORG_TOKEN', value: 'shared value', orgWide: true },
  });

  await call(member, world, 'workspaces.update');
  await call(admin, world, 'workspaces.create');
  for (const kind of RESOURCE_KINDS) {
    const id = world.memberResources[kind];
    const collection = `/v1/${RESOURCE_COLLECTIONS[kind]}`;
    await inWorld(admin, {
      method: 'POST',
      path: `${collection}/${id}/publish`,
      json: { visibility: 'org' },
    });
    await inWorld(member, {
      method: 'PATCH',
      path: `${collection}/${id}`,
      json: { name: `${kind} renamed` },
    });
  }
  const gone = await registerResource(stack, {
    organizationId: world.organizationId,
    kind: 'agent',
    ownerUserId: removed.userId,
  });
  await inWorld(removed, {
    method: 'DELETE',
    path: `/v1/${RESOURCE_COLLECTIONS.agent}/${gone.id}`,
  });
  await registerResource(stack, {
    organizationId: world.organizationId,
    kind: 'tool',
    ownerUserId: removed.userId,
  });

  // The removed member leaves an API key, an SSH key, a private secret and a resource behind.
  await inWorld(removed, { method: 'POST', path: '/v1/api-keys', json: { name: 'Removed key' } });
  await inWorld(removed, {
    method: 'POST',
    path: '/v1/ssh-keys',
    json: { name: 'Removed laptop', publicKey: newSshPublicKey() },
  });
  await inWorld(removed, {
    method: 'POST',
    path: '/v1/secrets',
    json: { name: 'MINE', value: 'x' },
  });
  await inWorld(admin, {
    method: 'DELETE',
    path: `/v1/organizations/${world.organizationId}/members/${removed.userId}`,
  });
  await inWorld(leaver, {
    method: 'POST',
    path: `/v1/organizations/${world.organizationId}/leave`,
  });

  // An organization with something in it, deleted whole.
  const doomed = await buildWorld(
    stack,
    doomedAdmin,
    await signIn(stack, uniqueEmail('doomed-member')),
  );
  await call(doomedAdmin, doomed, 'organizations.delete');
}

// --- the read models as they are -----------------------------------------------------------------

interface ReadModelSchema {
  service: string;
  schema: string;
}

function readModelSchemas(): ReadModelSchema[] {
  return stack.schemas.flatMap((schema) => {
    const prefix = schema.replace(/_[0-9a-f]{12}$/, '');
    if (NOT_READ_MODEL_SCHEMAS.includes(prefix)) return [];
    const service = READ_MODEL_SCHEMA_PREFIXES[prefix];
    if (!service) throw new Error(`Schema ${schema} is neither a read-model schema nor excluded`);
    return [{ service, schema }];
  });
}

async function withDatabase<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function tablesOf(client: Client, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [schema],
  );
  return rows.map(({ table_name }) => table_name);
}

/** Every table of every read-model schema, `<service>.<table>` -> its rows as sorted JSON texts. */
function dumpReadModels(): Promise<Map<string, string[]>> {
  return withDatabase(async (client) => {
    const dump = new Map<string, string[]>();
    for (const { service, schema } of readModelSchemas()) {
      for (const table of await tablesOf(client, schema)) {
        // The runners stamp their bookkeeping with the time they wrote it; the rest must match.
        const row = BOOKKEEPING_TABLES.includes(table)
          ? `to_jsonb(t) - 'updated_at'`
          : 'to_jsonb(t)';
        const { rows } = await client.query<{ row: string }>(
          `SELECT (${row})::text AS row FROM "${schema}"."${table}" t`,
        );
        dump.set(`${service}.${table}`, rows.map(({ row }) => row).sort());
      }
    }
    return dump;
  });
}

/** Empties every table but the bookkeeping and those NOT_REBUILT_TABLES names. */
function emptyReadModels(): Promise<void> {
  return withDatabase(async (client) => {
    for (const { service, schema } of readModelSchemas()) {
      const readModels = (await tablesOf(client, schema)).filter(
        (table) =>
          !BOOKKEEPING_TABLES.includes(table) && !(table in (NOT_REBUILT_TABLES[service] ?? {})),
      );
      // One statement: the tables may refer to one another.
      await client.query(
        `TRUNCATE ${readModels.map((table) => `"${schema}"."${table}"`).join(', ')}`,
      );
    }
  });
}

/**
 * Resolves once every runner of every service (read models and reactions alike) has a checkpoint
 * at the head of the event store, and the head stays put: reactions append as they catch up.
 */
async function settle(): Promise<void> {
  await eventually(
    async () => {
      const head = await stack.head();
      const behind = await withDatabase(async (client) => {
        const lagging: string[] = [];
        for (const { schema } of readModelSchemas()) {
          const { rows } = await client.query<{ name: string; position: string }>(
            `SELECT name, position FROM "${schema}".projection_checkpoints`,
          );
          for (const { name, position } of rows) {
            if (head && position !== formatPosition(head)) lagging.push(`${schema}.${name}`);
          }
        }
        return lagging;
      });
      expect(behind).toEqual([]);
      expect(await stack.head()).toEqual(head);
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

// --- the operator's command ----------------------------------------------------------------------

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run read-models:rebuild -- <args>`, against the stack's NATS. */
async function rebuildCommand(
  args: string[],
  env: Record<string, string> = {},
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'read-models:rebuild', '--', ...args],
      { cwd: WORKSPACE_ROOT, env: { ...process.env, NATS_URL: stack.nats.url, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

/** What `--json` prints: the parts these tests read (see tools/rebuild-read-models.ts). */
interface RebuildReport {
  ok: boolean;
  outcomes: {
    service: string;
    projection: string;
    status: string;
    /** when rebuilt */
    tables: string[];
    instance: { instanceId: string; pid: number };
  }[];
}

// --- the tests -----------------------------------------------------------------------------------

describe('npm run read-models:rebuild', () => {
  it('rebuilds every read model of every service from the event store, equal to the live one', async () => {
    await driveWorkload();
    await settle();
    const live = await dumpReadModels();
    // Emptied, the read models can only come back from the events.
    await emptyReadModels();

    const { code, stdout, stderr } = await rebuildCommand(['all', '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const report: RebuildReport = JSON.parse(stdout);
    expect(report.ok).toBe(true);

    // Every table of every read-model schema is a rebuilt projection's, bookkeeping, or named
    // above as kept without events: a read model nothing rebuilds fails here.
    const rebuiltTables = new Set(
      report.outcomes.flatMap(({ service, tables }) =>
        tables.map((table) => `${service}.${table}`),
      ),
    );
    const unaccounted = [...live.keys()].filter((key) => {
      const [service, table] = key.split('.');
      return (
        !rebuiltTables.has(key) &&
        !BOOKKEEPING_TABLES.includes(table) &&
        !(table in (NOT_REBUILT_TABLES[service] ?? {}))
      );
    });
    expect(unaccounted).toEqual([]);
    // ... and every projection a runner keeps in the schemas was rebuilt, but the reactions'.
    const versions = await withDatabase(async (client) => {
      const names: string[] = [];
      for (const { service, schema } of readModelSchemas()) {
        const { rows } = await client.query<{ name: string }>(
          `SELECT name FROM "${schema}".projection_versions`,
        );
        names.push(...rows.map(({ name }) => `${service}.${name}`));
      }
      return names.sort();
    });
    const rebuilt = report.outcomes.map(({ service, projection }) => `${service}.${projection}`);
    expect(versions.filter((name) => !REACTIONS.includes(name))).toEqual([...rebuilt].sort());

    await settle();
    const again = await dumpReadModels();
    expect([...again.keys()].sort()).toEqual([...live.keys()].sort());
    for (const [table, rows] of live) {
      expect({ table, rows: again.get(table) }).toEqual({ table, rows });
    }
  });

  it('rebuilds one projection on the membership instance holding its lock; with that one hung, on none', async () => {
    const { code, stdout } = await rebuildCommand(['membership', 'organizations']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^membership organizations: rebuilt by \S+ \(.+, pid \d+\): \d+ events replayed in \d+ ms, checkpoint \d+:\d+/m,
    );
    expect(stdout).not.toMatch(/^membership users:/m);

    const report: RebuildReport = JSON.parse(
      (await rebuildCommand(['membership', 'organizations', '--json'])).stdout,
    );
    const [rebuilt] = report.outcomes;
    expect(rebuilt.status).toBe('rebuilt');
    const active = stack.membership.find(
      ({ instanceId }) => instanceId === rebuilt.instance.instanceId,
    )!;
    const standby = stack.membership.find((instance) => instance !== active)!;
    expect(active.pid).toBe(rebuilt.instance.pid);

    // Hung, it keeps the lock (its database session lives on) and answers nothing.
    active.freeze();
    try {
      const hung = await rebuildCommand(['membership', 'organizations', '--json'], {
        ANSWER_TIMEOUT_MS: '1000',
      });
      expect(hung.code).toBe(1);
      expect(JSON.parse(hung.stdout)).toEqual({
        ok: false,
        outcomes: [
          {
            service: 'membership',
            projection: 'organizations',
            status: 'no_active_instance',
            standbyOn: [expect.objectContaining({ instanceId: standby.instanceId })],
          },
        ],
      });
    } finally {
      active.thaw();
    }
  });

  it('fails naming a projection the service does not run, and a service nobody answers for', async () => {
    const unknown = await rebuildCommand(['keys', 'no_such_projection']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/^keys no_such_projection: NOT FOUND: the service runs keys$/m);

    // The gateway has no read models: it does not listen there.
    const gateway = await rebuildCommand(['gateway']);
    expect(gateway.code).toBe(1);
    expect(gateway.stdout).toMatch(/^gateway \*: NOT REBUILT: no instance answered/m);
  });

  it('refuses a malformed command line', async () => {
    expect((await rebuildCommand([])).code).toBe(2);
    expect((await rebuildCommand(['all', 'organizations'])).code).toBe(2);
  });
});
