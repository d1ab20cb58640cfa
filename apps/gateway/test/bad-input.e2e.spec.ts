import { ROUTES, type RouteSpec } from '../src/routes/route-catalog';
import { REQUESTS } from './support/requests';
import { Stack, type HttpRequest, type HttpResponse } from './support/stack';
import { buildWorld, signIn, uniqueEmail, type SignedInUser, type World } from './support/world';

/**
 * Bad input on every route of the catalog, sent by a caller allowed to use it: wrong types,
 * missing and unknown fields, bodies that are not objects, malformed JSON, oversize bodies, odd
 * unicode, malformed ids and queries. Whatever comes in, the answer is never a 5xx; a 4xx comes in
 * the error envelope and writes nothing. (Odd but valid text, such as an emoji name, may succeed.)
 */

jest.setTimeout(120_000);

const BODY_LIMIT_BYTES = 16 * 1024;

let stack: Stack;
let admin: SignedInUser;
let world: World;

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 1,
    requestTimeoutMs: 3000,
    consistencyWaitMs: 2000,
    gatewayEnv: { BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) },
  });
  admin = await signIn(stack, uniqueEmail('fuzz-admin'));
  world = await buildWorld(stack, admin, await signIn(stack, uniqueEmail('fuzz-member')));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const ODD_TEXT = [
  '',
  ' ',
  '\u0000',
  'nul\u0000inside',
  '\ud800',
  '\udfff lone low surrogate',
  '\u202eevil right-to-left override',
  'zero\u200bwidth',
  '\ufeffbyte order mark',
  '👩‍💻 emoji with joiner',
  'e\u0301\u0301\u0301 combining',
  '\u0007bell \u001b[31m escape',
  'x'.repeat(10_000),
];

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  [],
  {},
  ['nested', ['array']],
  { deeply: { nested: { object: {} } } },
  ...ODD_TEXT,
];

/** Routes that take a body, with the valid body their matrix request sends. */
function bodyRoutes(): { operationId: string; route: RouteSpec; request: HttpRequest }[] {
  return Object.entries(REQUESTS).flatMap(([operationId, requestOf]) => {
    const route: RouteSpec = ROUTES[operationId as keyof typeof ROUTES];
    const request = { ...requestOf(world), token: admin.token };
    return route.body ? [{ operationId, route, request }] : [];
  });
}

function allRoutes(): { operationId: string; route: RouteSpec; request: HttpRequest }[] {
  return Object.entries(REQUESTS).map(([operationId, requestOf]) => ({
    operationId,
    route: ROUTES[operationId as keyof typeof ROUTES] as RouteSpec,
    request: { ...requestOf(world), token: admin.token },
  }));
}

/** The body variants a valid body spawns: each field made wrong, dropped, or joined by a stranger. */
function bodyVariants(valid: Record<string, unknown>): unknown[] {
  const fields = Object.keys(valid);
  return [
    ...fields.flatMap((field) => ODD_VALUES.map((value) => ({ ...valid, [field]: value }))),
    ...fields.map((field) =>
      Object.fromEntries(Object.entries(valid).filter(([f]) => f !== field)),
    ),
    { ...valid, unexpected: 'field' },
    ...ODD_VALUES.filter(
      (value) => typeof value !== 'object' || value === null || Array.isArray(value),
    ),
  ];
}

const failures: string[] = [];
let requestsSent = 0;

/** Never a 5xx; a 4xx is an error envelope and leaves the event store as it was. */
async function expectHandled(label: string, request: HttpRequest): Promise<HttpResponse> {
  requestsSent += 1;
  const before = await stack.head();
  const response = await stack.request(request);
  const problems: string[] = [];
  if (response.status >= 500) problems.push(`status ${response.status}`);
  if (response.status >= 400) {
    if (typeof response.body?.error?.code !== 'string') problems.push('no error envelope');
    if (response.body?.error?.requestId !== response.headers.get('x-request-id')) {
      problems.push('error without its request id');
    }
    // Only this request's events count: a reaction to an earlier one (a new organization's
    // default project and Personal workspace) may land meanwhile.
    const requestId = response.headers.get('x-request-id')!;
    if ((await stack.writtenBy(requestId, before)).length > 0) problems.push('wrote');
  }
  if (problems.length > 0) {
    failures.push(
      `${label}: ${problems.join(', ')} ${JSON.stringify(response.body)?.slice(0, 300)}`,
    );
  }
  return response;
}

afterEach(() => {
  const found = failures.splice(0);
  expect(found).toEqual([]);
});

afterAll(() => {
  // A sweep that sent next to nothing would pass vacuously.
  expect(requestsSent).toBeGreaterThan(400);
});

it('bodies of the wrong shape, types and text', async () => {
  for (const { operationId, request } of bodyRoutes()) {
    for (const json of bodyVariants((request.json ?? {}) as Record<string, unknown>)) {
      await expectHandled(`${operationId} ${JSON.stringify(json)?.slice(0, 80)}`, {
        ...request,
        json,
      });
    }
  }
});

it('bodies that are not JSON, or too large', async () => {
  for (const { operationId, route, request } of allRoutes()) {
    if (route.method === 'GET') continue;
    const variants: [string, Partial<HttpRequest>, number][] = [
      [
        'malformed JSON',
        { body: '{"name": ', headers: { 'content-type': 'application/json' } },
        400,
      ],
      ['plain text', { body: 'name=x', headers: { 'content-type': 'text/plain' } }, 415],
      [
        'oversize',
        {
          body: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT_BYTES) }),
          headers: { 'content-type': 'application/json' },
        },
        413,
      ],
      [
        'invalid UTF-8',
        {
          body: Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
          headers: { 'content-type': 'application/json' },
        },
        0,
      ],
      [
        'prototype pollution',
        {
          body: '{"__proto__": {"polluted": true}, "name": "x"}',
          headers: { 'content-type': 'application/json' },
        },
        400,
      ],
    ];
    for (const [label, change, status] of variants) {
      const response = await expectHandled(`${operationId} ${label}`, {
        ...request,
        json: undefined,
        ...change,
      });
      if (status && response.status !== status) {
        failures.push(`${operationId} ${label}: expected ${status}, got ${response.status}`);
      }
    }
  }
});

it('malformed ids in paths', async () => {
  const garbage = [
    'not-a-uuid',
    '00000000-0000-0000-0000-00000000000g',
    '%00',
    '..%2F..%2Fetc',
    'x'.repeat(300),
  ];
  for (const { operationId, request } of allRoutes()) {
    const ids = [
      world.organizationId,
      world.member.userId,
      world.pendingInvitationId,
      world.memberApiKeyId,
      world.memberSshKeyId,
      world.projectId,
      world.memberWorkspaceId,
      ...Object.values(world.memberResources),
    ];
    for (const id of ids.filter((value) => request.path.includes(value))) {
      for (const bad of garbage) {
        const response = await expectHandled(`${operationId} path ${bad}`, {
          ...request,
          path: request.path.replace(id, bad),
        });
        if (![400, 404, 414].includes(response.status)) {
          failures.push(`${operationId} path ${bad}: ${response.status}`);
        }
      }
    }
  }
});

it('malformed queries', async () => {
  const queries = [
    'limit=0',
    'limit=501',
    'limit=abc',
    'limit=1.5',
    'limit=1&limit=2',
    'cursor=',
    'cursor=not-a-cursor',
    'cursor=' + 'x'.repeat(600),
    'all=maybe',
    'unexpected=1',
    'role=owner',
    'status=lost',
    'projectId=not-a-uuid',
    'visibility=everyone',
  ];
  for (const { operationId, route, request } of allRoutes()) {
    if (route.method !== 'GET' || !route.query) continue;
    for (const query of queries) {
      const response = await expectHandled(`${operationId}?${query}`, {
        ...request,
        path: `${request.path}?${query}`,
      });
      if (
        response.status < 400 &&
        !['role=', 'status='].some((prefix) => query.startsWith(prefix))
      ) {
        failures.push(`${operationId}?${query}: accepted (${response.status})`);
      }
    }
  }
});

it('malformed filters of the registry lists are a 400', async () => {
  const lists = allRoutes().filter(({ operationId }) => /^registry\.\w+\.list$/.test(operationId));
  expect(lists).toHaveLength(4);
  for (const { operationId, request } of lists) {
    for (const query of ['projectId=not-a-uuid', 'projectId=', 'visibility=everyone']) {
      const response = await expectHandled(`${operationId}?${query}`, {
        ...request,
        path: `${request.path}?${query}`,
      });
      if (response.status !== 400) {
        failures.push(`${operationId}?${query}: ${response.status}, expected 400`);
      }
    }
  }
});

it('malformed queries on routes that write', async () => {
  const queries = [
    'force=yes',
    'force=',
    'force=TRUE',
    'force=1',
    'force=true&force=false',
    'unexpected=1',
  ];
  let sent = 0;
  for (const { operationId, route, request } of allRoutes()) {
    if (route.method === 'GET' || !route.query) continue;
    for (const query of queries) {
      sent += 1;
      const response = await expectHandled(`${operationId}?${query}`, {
        ...request,
        path: `${request.path}?${query}`,
      });
      if (response.status !== 400) {
        failures.push(`${operationId}?${query}: ${response.status}, expected 400`);
      }
    }
  }
  // workspaces.delete at least: a sweep over no route would pass vacuously
  expect(sent).toBeGreaterThanOrEqual(queries.length);
});

it('headers the gateway reads, malformed', async () => {
  const { request } = allRoutes().find(({ operationId }) => operationId === 'organizations.get')!;
  const headerVariants: Record<string, string>[] = [
    { 'x-consistency-position': 'yesterday' },
    { 'x-org-id': 'not-a-uuid' },
    { authorization: 'Bearer' },
    { authorization: 'Basic dXNlcjpwYXNz' },
    { authorization: `Bearer ${'a'.repeat(10_000)}` },
    { authorization: 'Bearer rt_' },
    { authorization: `Bearer rt_live_${'a'.repeat(10_000)}` },
    { 'x-api-key': '' },
    { 'x-api-key': 'rt_live_\u00e9t\u00e9' },
    { 'x-api-key': `rt_test_${'0'.repeat(28)}` },
    { 'idempotency-key': '' },
  ];
  for (const headers of headerVariants) {
    const credentials = headers.authorization ?? headers['x-api-key'];
    await expectHandled(`headers ${JSON.stringify(headers).slice(0, 60)}`, {
      ...request,
      headers,
      token: credentials === undefined ? request.token : undefined,
    });
  }
});
