import { grantsScope, type Scope } from '@orgplane/contracts';
import { API_KEY_HEADER } from '../src/authorization/credentials';
import { ROUTES, type OperationId, type RouteSpec } from '../src/routes/route-catalog';
import { Stack, type HttpRequest, type HttpResponse } from './support/stack';
import {
  generateSigningKey,
  nowSeconds,
  resignToken,
  tokenSignedByAnotherKey,
} from './support/tokens';
import { expectCatalogDocumentAndRouterToAgree } from './conventions/api-surface';
import { REQUESTS } from './support/requests';
import {
  buildWorld,
  createApiKey,
  expectStatus,
  signIn,
  uniqueEmail,
  type SignedInUser,
  type World,
} from './support/world';

/**
 * The authorization table, tested as a matrix: every route of the catalog × every kind of caller
 * (sessions and API keys) → the status the table promises; and no answer to an outsider carries
 * anything of the organization. Denied requests write nothing. Each allowed write runs in a world
 * of its own, so one case cannot spoil the next; reads share one world.
 */

jest.setTimeout(120_000);

/**
 * Who each persona is to the world's organization; API keys also have scopes. `nonMember` works
 * in an organization of its own (its token is "a token of another organization"), and
 * `otherOrgKey` is a key of that organization; `stranger` is signed in and belongs to no
 * organization at all. `nobody` does not authenticate: no credentials, an expired or forged
 * token, a revoked key, a key rotated out (grace period 0), a key whose checksum is wrong.
 */
interface PersonaSpec {
  as: 'admin' | 'member' | 'outsider' | 'nobody';
  scopes?: readonly Scope[];
}
const PERSONAS = {
  admin: { as: 'admin' },
  member: { as: 'member' },
  nonMember: { as: 'outsider' },
  stranger: { as: 'outsider' },
  noCredentials: { as: 'nobody' },
  expiredToken: { as: 'nobody' },
  forgedToken: { as: 'nobody' },
  adminKey: { as: 'admin', scopes: ['*'] },
  memberKey: { as: 'member', scopes: ['*'] },
  adminSandboxKey: { as: 'admin', scopes: ['sandbox:*'] },
  adminOrgReadKey: { as: 'admin', scopes: ['org:read'] },
  otherOrgKey: { as: 'outsider', scopes: ['*'] },
  revokedKey: { as: 'nobody' },
  rotatedOutKey: { as: 'nobody' },
  malformedKey: { as: 'nobody' },
} as const satisfies Record<string, PersonaSpec>;
type Persona = keyof typeof PERSONAS;

/** The world's own live keys: made in each world that needs them, by their owner. */
const WORLD_KEYS = {
  adminKey: 'admin',
  memberKey: 'member',
  adminSandboxKey: 'admin',
  adminOrgReadKey: 'admin',
} as const satisfies Partial<Record<Persona, 'admin' | 'member'>>;
type WorldKeyPersona = keyof typeof WORLD_KEYS;

/** Keys travel in either header the API takes: the Bearer one for these, X-API-Key for others. */
const BEARER_KEYS: ReadonlySet<Persona> = new Set(['memberKey', 'otherOrgKey', 'rotatedOutKey']);

/**
 * Where the domain, not the table, decides for a caller the table lets through: the only Admin
 * cannot leave; an invitation addressed to someone else cannot be accepted; an outsider cannot
 * switch to an organization that is not theirs (it does not exist for them); an Admin may revoke
 * a member's API key but not change or rotate it (`owner_only`: that would act as its owner).
 */
const DOMAIN_ANSWERS: Partial<
  Record<OperationId, Partial<Record<'admin' | 'member' | 'nonMember', number>>>
> = {
  'members.leave': { admin: 409 },
  'invitations.accept': { admin: 403, member: 403, nonMember: 403 },
  'organizations.switchCurrent': { nonMember: 404 },
  'apiKeys.update': { admin: 403 },
  'apiKeys.rotate': { admin: 403 },
};

/** Routes that answer a file (an export) rather than the API envelope. */
const FILE_ROUTES: ReadonlySet<OperationId> = new Set(['activity.export']);

/** What the table promises the persona, with the error code when the table itself refuses. */
function expectedAnswer(
  operationId: OperationId,
  route: RouteSpec,
  persona: Persona,
): { status: number; code?: string } {
  const { as, scopes }: PersonaSpec = PERSONAS[persona];
  if (as === 'nobody') return { status: 401, code: 'unauthorized' };
  const { access } = route;
  if (access.kind === 'public') throw new Error(`${operationId} is public`);
  if (scopes && access.sessionOnly) return { status: 403, code: 'session_required' };
  if (as === 'outsider' && access.kind === 'organization') {
    if (access.from === 'path') return { status: 404, code: 'not_found' };
    return { status: 403, code: scopes ? 'organization_mismatch' : 'not_a_member' };
  }
  if (scopes && access.scope && !grantsScope(scopes, access.scope)) {
    return { status: 403, code: 'insufficient_scope' };
  }
  const domain = DOMAIN_ANSWERS[operationId]?.[as === 'outsider' ? 'nonMember' : as];
  if (domain) return { status: domain };
  // Outsiders got here only for routes that act in no organization.
  if (access.kind === 'signedIn' || as === 'outsider') return { status: route.status };
  return access.roles.includes(as)
    ? { status: route.status }
    : { status: 403, code: 'admin_required' };
}

let stack: Stack;
const signingKey = generateSigningKey();
let adminUser: SignedInUser;
let memberUser: SignedInUser;
let outsider: SignedInUser;
let stranger: SignedInUser;
/** for the requests that are refused, and the reads: they write nothing, so they can share one world */
let sharedWorld: World;
/** the keys that belong to no world of the matrix, or never authenticate */
let keysApart: Record<'otherOrgKey' | 'revokedKey' | 'rotatedOutKey' | 'malformedKey', string>;
/** each world's own live keys, made on first use */
const worldKeys = new Map<World, Partial<Record<WorldKeyPersona, string>>>();

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 1,
    requestTimeoutMs: 3000,
    consistencyWaitMs: 2000,
    identityEnv: { IDENTITY_SIGNING_KEY: signingKey.pem },
  });
  [adminUser, memberUser, outsider, stranger] = await Promise.all([
    signIn(stack, uniqueEmail('admin')),
    signIn(stack, uniqueEmail('member')),
    signIn(stack, uniqueEmail('outsider')),
    signIn(stack, uniqueEmail('stranger')),
  ]);
  // The outsider works in an organization of their own: their token is one of another organization.
  const own = await stack.request({
    method: 'POST',
    path: '/v1/organizations',
    token: outsider.token,
    json: { name: 'Elsewhere' },
  });
  expect(own.status).toBe(201);
  sharedWorld = await buildWorld(stack, adminUser, memberUser);

  const [otherOrganizations, revoked, rotated] = await Promise.all([
    createApiKey(stack, outsider, own.body.data.id),
    createApiKey(stack, adminUser, sharedWorld.organizationId, { name: 'Revoked' }),
    createApiKey(stack, adminUser, sharedWorld.organizationId, { name: 'Rotated out' }),
  ]);
  const asAdmin = { token: adminUser.token, headers: { 'x-org-id': sharedWorld.organizationId } };
  expectStatus(
    await stack.request({ method: 'DELETE', path: `/v1/api-keys/${revoked.id}`, ...asAdmin }),
    200,
    'revoke a key',
  );
  expectStatus(
    await stack.request({
      method: 'POST',
      path: `/v1/api-keys/${rotated.id}/rotate`,
      json: { gracePeriodSeconds: 0 },
      ...asAdmin,
    }),
    200,
    'rotate a key',
  );
  keysApart = {
    otherOrgKey: otherOrganizations.key,
    revokedKey: revoked.key,
    rotatedOutKey: rotated.key,
    malformedKey: mistyped(await keyOf('adminKey', sharedWorld)),
  };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

async function keyOf(persona: WorldKeyPersona, world: World): Promise<string> {
  const keys = worldKeys.get(world) ?? {};
  worldKeys.set(world, keys);
  keys[persona] ??= (
    await createApiKey(
      stack,
      WORLD_KEYS[persona] === 'admin' ? world.admin : world.member,
      world.organizationId,
      { name: persona, scopes: PERSONAS[persona].scopes },
    )
  ).key;
  return keys[persona];
}

/** One character typed wrong: the checksum no longer matches. */
function mistyped(key: string): string {
  const at = 10;
  return `${key.slice(0, at)}${key[at] === 'x' ? 'y' : 'x'}${key.slice(at + 1)}`;
}

function tokenOf(persona: Persona): string | undefined {
  switch (persona) {
    case 'admin':
      return adminUser.token;
    case 'member':
      return memberUser.token;
    case 'nonMember':
      return outsider.token;
    case 'stranger':
      return stranger.token;
    case 'expiredToken':
      return resignToken(adminUser.token, signingKey.key, (claims) => ({
        ...claims,
        iat: nowSeconds() - 7200,
        exp: nowSeconds() - 3600,
      }));
    case 'forgedToken':
      return tokenSignedByAnotherKey(adminUser.token);
    default:
      return undefined;
  }
}

/** The persona's credentials as a request carries them. */
async function credentialsOf(
  persona: Persona,
  world: World,
): Promise<Pick<HttpRequest, 'token' | 'headers'>> {
  const key =
    persona in WORLD_KEYS
      ? await keyOf(persona as WorldKeyPersona, world)
      : keysApart[persona as keyof typeof keysApart];
  if (key === undefined) return { token: tokenOf(persona) };
  return BEARER_KEYS.has(persona) ? { token: key } : { headers: { [API_KEY_HEADER]: key } };
}

/** Nothing that names the world's organization or its people may reach an outsider. */
function expectNoLeak(response: HttpResponse, world: World): void {
  const body = JSON.stringify(response.body);
  for (const secret of [
    world.organizationId,
    world.organizationName,
    world.admin.email,
    world.admin.userId,
    world.member.email,
    world.member.userId,
    world.pendingInvitationId,
    world.memberApiKeyId,
    world.memberSshKeyId,
  ]) {
    expect(body).not.toContain(secret);
  }
}

const cases = (Object.keys(REQUESTS) as (keyof typeof REQUESTS)[]).flatMap((operationId) =>
  (Object.keys(PERSONAS) as Persona[]).map((persona) => {
    const route: RouteSpec = ROUTES[operationId];
    return { operationId, persona, route, ...expectedAnswer(operationId, route, persona) };
  }),
);

it('covers every route of the catalog that needs credentials', () => {
  const needingCredentials = Object.entries(ROUTES)
    .filter(([, route]) => route.access.kind !== 'public')
    .map(([operationId]) => operationId)
    .sort();
  expect(Object.keys(REQUESTS).sort()).toEqual(needingCredentials);
});

describe.each(cases)(
  '$operationId as $persona',
  ({ operationId, persona, route, status, code }) => {
    it(`answers ${status}${code ? ` ${code}` : ''}`, async () => {
      const allowed = status < 400;
      const writes = allowed && route.method !== 'GET';
      const world = writes ? await buildWorld(stack, adminUser, memberUser) : sharedWorld;
      const request = REQUESTS[operationId](world);
      const credentials = await credentialsOf(persona, world);

      const before = await stack.head();
      const response = await stack.request({
        ...request,
        token: credentials.token,
        headers: { ...request.headers, ...credentials.headers },
      });

      expect({ status: response.status, code: response.body?.error?.code }).toMatchObject({
        status,
        ...(code ? { code } : {}),
      });
      if (allowed && FILE_ROUTES.has(operationId)) {
        expect(response.headers.get('content-disposition')).toMatch(/^attachment; /);
      } else if (allowed) {
        expect(response.body.data).toBeDefined();
        expect(response.body.meta.requestId).toMatch(/^req_/);
      } else {
        expect(response.body.error.code).toEqual(expect.any(String));
      }
      if (status === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer');
      // Refusals write nothing, nor do reads (an API key's use included: see lastUsedAt). Only
      // this request's events count: a reaction to an earlier case may land meanwhile.
      if (!writes) {
        const requestId = response.headers.get('x-request-id')!;
        expect(await stack.writtenBy(requestId, before)).toEqual([]);
      }
      if (PERSONAS[persona].as === 'outsider' || PERSONAS[persona].as === 'nobody') {
        expectNoLeak(response, world);
      }
    });
  },
);

it('the OpenAPI document, served without credentials, describes exactly the routes served', async () => {
  const response = await stack.request({ method: 'GET', path: '/v1/openapi.json' });
  expect(response.status).toBe(200);
  expectCatalogDocumentAndRouterToAgree(stack.gateway, response.body);
});
