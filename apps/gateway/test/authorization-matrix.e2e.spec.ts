import { ROUTES, type OperationId, type RouteSpec } from '../src/routes/route-catalog';
import { Stack, type HttpResponse } from './support/stack';
import {
  generateSigningKey,
  nowSeconds,
  resignToken,
  tokenSignedByAnotherKey,
} from './support/tokens';
import { expectCatalogDocumentAndRouterToAgree } from './conventions/api-surface';
import { REQUESTS } from './support/requests';
import { buildWorld, signIn, uniqueEmail, type SignedInUser, type World } from './support/world';

/**
 * The authorization table, tested as a matrix: every route of the catalog × every kind of caller
 * → the status the table promises; and no answer to an outsider carries anything of the
 * organization. Denied requests write nothing. Each allowed write runs in a world of its own, so
 * one case cannot spoil the next.
 */

jest.setTimeout(120_000);

/**
 * `nonMember` works in an organization of its own (its token is "a token of another
 * organization"); `stranger` is signed in and belongs to no organization at all.
 */
type Persona =
  'admin' | 'member' | 'nonMember' | 'stranger' | 'noCredentials' | 'expiredToken' | 'forgedToken';
const PERSONAS: Persona[] = [
  'admin',
  'member',
  'nonMember',
  'stranger',
  'noCredentials',
  'expiredToken',
  'forgedToken',
];

/**
 * Where the domain, not the table, decides for a caller the table lets through: the only Admin
 * cannot leave; an invitation addressed to someone else cannot be accepted; an outsider cannot
 * switch to an organization that is not theirs (it does not exist for them).
 */
const DOMAIN_ANSWERS: Partial<Record<OperationId, Partial<Record<Persona, number>>>> = {
  'members.leave': { admin: 409 },
  'invitations.accept': { admin: 403, member: 403, nonMember: 403 },
  'organizations.switchCurrent': { nonMember: 404 },
};

function expectedStatus(operationId: OperationId, route: RouteSpec, persona: Persona): number {
  if (persona === 'noCredentials' || persona === 'expiredToken' || persona === 'forgedToken') {
    return 401;
  }
  const outsider = persona === 'nonMember' || persona === 'stranger';
  const domain = DOMAIN_ANSWERS[operationId]?.[outsider ? 'nonMember' : persona];
  if (domain) return domain;
  const { access } = route;
  if (access.kind === 'signedIn') return route.status;
  if (access.kind !== 'organization') throw new Error(`${operationId} is public`);
  if (outsider) return access.from === 'path' ? 404 : 403;
  return access.roles.includes(persona) ? route.status : 403;
}

let stack: Stack;
const signingKey = generateSigningKey();
let adminUser: SignedInUser;
let memberUser: SignedInUser;
let outsider: SignedInUser;
let stranger: SignedInUser;
/** for the requests that are refused: they write nothing, so they can share one world */
let sharedWorld: World;

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
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

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
    case 'noCredentials':
      return undefined;
    case 'expiredToken':
      return resignToken(adminUser.token, signingKey.key, (claims) => ({
        ...claims,
        iat: nowSeconds() - 7200,
        exp: nowSeconds() - 3600,
      }));
    case 'forgedToken':
      return tokenSignedByAnotherKey(adminUser.token);
  }
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
  ]) {
    expect(body).not.toContain(secret);
  }
}

const cases = (Object.keys(REQUESTS) as (keyof typeof REQUESTS)[]).flatMap((operationId) =>
  PERSONAS.map((persona) => {
    const route: RouteSpec = ROUTES[operationId];
    return { operationId, persona, route, status: expectedStatus(operationId, route, persona) };
  }),
);

it('covers every route of the catalog that needs credentials', () => {
  const needingCredentials = Object.entries(ROUTES)
    .filter(([, route]) => route.access.kind !== 'public')
    .map(([operationId]) => operationId)
    .sort();
  expect(Object.keys(REQUESTS).sort()).toEqual(needingCredentials);
});

describe.each(cases)('$operationId as $persona', ({ operationId, persona, status }) => {
  it(`answers ${status}`, async () => {
    const allowed = status < 400;
    const world = allowed ? await buildWorld(stack, adminUser, memberUser) : sharedWorld;
    const request = { ...REQUESTS[operationId](world), token: tokenOf(persona) };

    const before = await stack.head();
    const response = await stack.request(request);

    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    if (allowed) {
      expect(response.body.data).toBeDefined();
      expect(response.body.meta.requestId).toMatch(/^req_/);
    } else {
      expect(response.body.error.code).toEqual(expect.any(String));
      expect(await stack.head()).toEqual(before);
    }
    if (persona !== 'admin' && persona !== 'member') expectNoLeak(response, world);
  });
});

it('the OpenAPI document, served without credentials, describes exactly the routes served', async () => {
  const response = await stack.request({ method: 'GET', path: '/v1/openapi.json' });
  expect(response.status).toBe(200);
  expectCatalogDocumentAndRouterToAgree(stack.gateway, response.body);
});
