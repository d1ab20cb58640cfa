import { organizationEvents, organizationStreamName } from '@orgplane/contracts';
import { eventually } from '@orgplane/testing';
import { Stack, type HttpRequest, type HttpResponse } from './support/stack';
import { buildWorld, expectStatus, signIn, uniqueEmail, type SignedInUser } from './support/world';

/**
 * Organizations and their people through the HTTP API, as a user of `npm start` would drive them
 * with curl, on two gateway instances and two membership instances.
 */

jest.setTimeout(120_000);

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start({
    membershipInstances: 2,
    gatewayInstances: 2,
    // 50 Admins acting on one organization at once queue 25 commands on one stream per instance,
    // each retry folding it again: on a shared 2-vCPU machine the last take over 5 s. The test
    // asserts outcomes (200/403/404/409, one Admin left), not latency.
    requestTimeoutMs: 30_000,
    consistencyWaitMs: 3000,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const send = (request: HttpRequest): Promise<HttpResponse> => stack.request(request);
const ok = async (request: HttpRequest, status = 200): Promise<HttpResponse> =>
  expectStatus(await send(request), status, `${request.method} ${request.path}`);

async function memberRoles(organizationId: string, token: string): Promise<Record<string, string>> {
  const response = await ok({
    method: 'GET',
    path: `/v1/organizations/${organizationId}/members?limit=500`,
    token,
  });
  return Object.fromEntries(
    response.body.data.map((member: { userId: string; role: string }) => [
      member.userId,
      member.role,
    ]),
  );
}

describe('the README walk-through', () => {
  it('sign in, create an organization, invite, accept, change roles, remove', async () => {
    const ada = await signIn(stack, uniqueEmail('ada'));
    const grace = await signIn(stack, uniqueEmail('grace'));

    const created = await ok(
      { method: 'POST', path: '/v1/organizations', token: ada.token, json: { name: 'Analytical' } },
      201,
    );
    const organizationId: string = created.body.data.id;
    expect(created.body.data).toMatchObject({
      name: 'Analytical',
      role: 'admin',
      orgRole: 'admin',
    });

    const invitation = await ok(
      {
        method: 'POST',
        path: `/v1/organizations/${organizationId}/invitations`,
        token: ada.token,
        json: { email: grace.email.toUpperCase(), role: 'member' },
      },
      201,
    );
    expect(invitation.body.data).toMatchObject({
      email: grace.email,
      role: 'member',
      status: 'pending',
      organizationId,
    });
    const lifetimeMs =
      Date.parse(invitation.body.data.expiresAt) - Date.parse(invitation.body.data.createdAt);
    expect(lifetimeMs).toBe(7 * 24 * 3600 * 1000);

    // Grace sees it among hers, on the other gateway, and accepts.
    const mine = await ok({
      method: 'GET',
      path: '/v1/me/invitations',
      token: grace.token,
      gateway: 1,
    });
    expect(mine.body.data.map((item: { id: string }) => item.id)).toContain(
      invitation.body.data.id,
    );
    await ok({
      method: 'POST',
      path: `/v1/invitations/${invitation.body.data.id}/accept`,
      token: grace.token,
      gateway: 1,
    });
    expect(await memberRoles(organizationId, grace.token)).toEqual({
      [ada.userId]: 'admin',
      [grace.userId]: 'member',
    });

    // A Member cannot manage members; an Admin can, and the change shows at once.
    const refused = await send({
      method: 'PATCH',
      path: `/v1/organizations/${organizationId}/members/${ada.userId}`,
      token: grace.token,
      json: { role: 'member' },
    });
    expect(refused.status).toBe(403);
    await ok({
      method: 'PATCH',
      path: `/v1/organizations/${organizationId}/members/${grace.userId}`,
      token: ada.token,
      json: { role: 'admin' },
    });
    expect(await memberRoles(organizationId, ada.token)).toMatchObject({ [grace.userId]: 'admin' });

    // Now Ada may step down; then Grace, the last Admin, may not.
    await ok({
      method: 'PATCH',
      path: `/v1/organizations/${organizationId}/members/${ada.userId}`,
      token: grace.token,
      json: { role: 'member' },
    });
    const lastAdmin = await send({
      method: 'POST',
      path: `/v1/organizations/${organizationId}/leave`,
      token: grace.token,
    });
    expect(lastAdmin.status).toBe(409);
    expect(lastAdmin.body.error.code).toBe('last_admin');

    await ok({
      method: 'DELETE',
      path: `/v1/organizations/${organizationId}/members/${ada.userId}`,
      token: grace.token,
    });
    expect(await memberRoles(organizationId, grace.token)).toEqual({ [grace.userId]: 'admin' });
    const gone = await send({
      method: 'GET',
      path: `/v1/organizations/${organizationId}`,
      token: ada.token,
    });
    expect(gone.status).toBe(404);
  });
});

describe('Idempotency-Key', () => {
  it('a retried create answers the first response again, on either instance, and writes once', async () => {
    const kim = await signIn(stack, uniqueEmail('kim'));
    const create = (gateway: number, name = 'Once') =>
      send({
        method: 'POST',
        path: '/v1/organizations',
        token: kim.token,
        json: { name },
        headers: { 'idempotency-key': 'create-once' },
        gateway,
      });
    const first = await create(0);
    expect(first.status).toBe(201);
    const headAfterFirst = await stack.head();

    const replayed = await create(1);
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotency-replayed')).toBe('true');
    expect(replayed.body.data.id).toBe(first.body.data.id);
    // The replay's own writes: the resources service's reaction to the first create (its default
    // project and Personal workspace) may land meanwhile.
    const replayId = replayed.headers.get('x-request-id')!;
    expect(await stack.writtenBy(replayId, headAfterFirst)).toEqual([]);

    const reused = await create(0, 'Another name');
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    const listed = await ok({ method: 'GET', path: '/v1/organizations', token: kim.token });
    expect(listed.body.data).toHaveLength(1);
  });
});

describe('the active organization', () => {
  it('is the newest joined until switched; X-Org-Id overrides it per request', async () => {
    const lin = await signIn(stack, uniqueEmail('lin'));
    const none = await send({ method: 'GET', path: '/v1/organizations/current', token: lin.token });
    expect(none.status).toBe(404);

    const first = await ok(
      { method: 'POST', path: '/v1/organizations', token: lin.token, json: { name: 'First' } },
      201,
    );
    const second = await ok(
      { method: 'POST', path: '/v1/organizations', token: lin.token, json: { name: 'Second' } },
      201,
    );
    const current = () =>
      ok({ method: 'GET', path: '/v1/organizations/current', token: lin.token });
    expect((await current()).body.data.id).toBe(second.body.data.id);

    await ok({
      method: 'PUT',
      path: '/v1/organizations/current',
      token: lin.token,
      json: { organizationId: first.body.data.id },
    });
    expect((await current()).body.data.id).toBe(first.body.data.id);
    const me = await ok({ method: 'GET', path: '/v1/me', token: lin.token, gateway: 1 });
    expect(me.body.data).toMatchObject({
      id: lin.userId,
      email: lin.email,
      isAdmin: true,
      activeOrganizationId: first.body.data.id,
    });

    const overridden = await ok({
      method: 'GET',
      path: '/v1/organizations/current',
      token: lin.token,
      headers: { 'x-org-id': second.body.data.id },
    });
    expect(overridden.body.data.id).toBe(second.body.data.id);

    const listed = await ok({ method: 'GET', path: '/v1/organizations?limit=1', token: lin.token });
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.meta).toMatchObject({ hasMore: true, nextCursor: expect.any(String) });
    const next = await ok({
      method: 'GET',
      path: `/v1/organizations?limit=1&cursor=${encodeURIComponent(listed.body.meta.nextCursor)}`,
      token: lin.token,
    });
    expect(next.body.meta).toMatchObject({ hasMore: false, nextCursor: null });
    expect([listed.body.data[0].id, next.body.data[0].id].sort()).toEqual(
      [first.body.data.id, second.body.data.id].sort(),
    );
  });
});

describe('changes of access hold on every gateway instance within one second', () => {
  it('a demotion and a removal', async () => {
    const admin = await signIn(stack, uniqueEmail('boss'));
    const deputy = await signIn(stack, uniqueEmail('deputy'));
    const world = await buildWorld(stack, admin, deputy);
    await ok({
      method: 'PATCH',
      path: `/v1/organizations/${world.organizationId}/members/${deputy.userId}`,
      token: admin.token,
      json: { role: 'admin' },
    });
    const deputyListsInvitations = (gateway: number) =>
      send({
        method: 'GET',
        path: `/v1/organizations/${world.organizationId}/invitations`,
        token: deputy.token,
        gateway,
      });
    // Both instances have the deputy's access cached as an Admin's.
    for (const gateway of [0, 1]) expect((await deputyListsInvitations(gateway)).status).toBe(200);

    await ok({
      method: 'PATCH',
      path: `/v1/organizations/${world.organizationId}/members/${deputy.userId}`,
      token: admin.token,
      json: { role: 'member' },
    });
    const demotedAt = Date.now();
    for (const gateway of [0, 1]) {
      await eventually(
        async () => expect((await deputyListsInvitations(gateway)).status).toBe(403),
        {
          timeoutMs: 1000,
        },
      );
    }
    expect(Date.now() - demotedAt).toBeLessThan(1000);

    await ok({
      method: 'DELETE',
      path: `/v1/organizations/${world.organizationId}/members/${deputy.userId}`,
      token: admin.token,
      gateway: 1,
    });
    const removedAt = Date.now();
    for (const gateway of [0, 1]) {
      await eventually(
        async () => expect((await deputyListsInvitations(gateway)).status).toBe(404),
        {
          timeoutMs: 1000,
        },
      );
    }
    expect(Date.now() - removedAt).toBeLessThan(1000);
  });
});

describe('the last Admin', () => {
  it('50 concurrent demotions and removals of the Admins of one organization leave at least one', async () => {
    const admins: SignedInUser[] = await Promise.all(
      Array.from({ length: 50 }, (_, index) => signIn(stack, uniqueEmail(`admin${index}`))),
    );
    const [founder, ...others] = admins;
    const created = await ok(
      { method: 'POST', path: '/v1/organizations', token: founder.token, json: { name: 'Crowd' } },
      201,
    );
    const organizationId: string = created.body.data.id;
    for (const admin of others) {
      const invitation = await ok(
        {
          method: 'POST',
          path: `/v1/organizations/${organizationId}/invitations`,
          token: founder.token,
          json: { email: admin.email, role: 'admin' },
        },
        201,
      );
      await ok({
        method: 'POST',
        path: `/v1/invitations/${invitation.body.data.id}/accept`,
        token: admin.token,
      });
    }
    expect(Object.values(await memberRoles(organizationId, founder.token))).toEqual(
      Array(50).fill('admin'),
    );

    // Each Admin acts on the next one: demote, remove, or (every fifth) leave.
    const responses = await Promise.all(
      admins.map((admin, index) => {
        const target = admins[(index + 1) % admins.length];
        const path = `/v1/organizations/${organizationId}`;
        const gateway = index % 2;
        if (index % 5 === 0)
          return send({ method: 'POST', path: `${path}/leave`, token: admin.token, gateway });
        if (index % 2 === 0) {
          return send({
            method: 'DELETE',
            path: `${path}/members/${target.userId}`,
            token: admin.token,
            gateway,
          });
        }
        return send({
          method: 'PATCH',
          path: `${path}/members/${target.userId}`,
          token: admin.token,
          json: { role: 'member' },
          gateway,
        });
      }),
    );
    for (const response of responses) {
      expect([200, 403, 404, 409]).toContain(response.status);
    }
    expect(responses.some((response) => response.status === 200)).toBe(true);

    // The stream, folded, agrees: never fewer than one Admin after any event.
    const roles = new Map<string, string>();
    let fewestAdmins = Number.POSITIVE_INFINITY;
    for (const recorded of await stack.store.readStream(organizationStreamName(organizationId))) {
      const event = organizationEvents.decode(recorded);
      if (event.type === 'MemberJoined') roles.set(event.data.userId, event.data.role);
      if (event.type === 'MemberRoleChanged') roles.set(event.data.userId, event.data.role);
      if (event.type === 'MemberRemoved' || event.type === 'MemberLeft')
        roles.delete(event.data.userId);
      const admins = [...roles.values()].filter((role) => role === 'admin').length;
      if (roles.size > 0) fewestAdmins = Math.min(fewestAdmins, admins);
    }
    expect(fewestAdmins).toBeGreaterThanOrEqual(1);

    const remainingAdmin = admins.find((admin) => roles.get(admin.userId) === 'admin')!;
    const listed = await memberRoles(organizationId, remainingAdmin.token);
    expect(Object.fromEntries(roles)).toEqual(listed);
    expect(Object.values(listed)).toContain('admin');
  });
});
