import { randomUUID } from 'node:crypto';
import {
  RESOURCE_KINDS,
  RESOURCES_SUBJECTS,
  type RegisterResourceRequest,
  type ResourceKind,
  type ResourceView,
} from '@orgplane/contracts';
import { parsePosition } from '@orgplane/event-store';
import { ORGANIZATION_HEADER } from '../../src/authorization/authorization.guard';
import { HTTP_HEADERS } from '../../src/common/http-request-context';
import { newSshPublicKey } from './ssh-keys';
import type { HttpRequest, HttpResponse, Stack } from './stack';

export interface SignedInUser {
  token: string;
  userId: string;
  email: string;
}

/**
 * An organization with an Admin, a Member (who has an API key and an SSH key) and a pending
 * invitation, made through the API. Admin and Member each have a private secret of the same names
 * (WORLD_SECRETS), so one request works for either of them. Besides its default project the
 * organization has one the Admin made; the Member made an organization workspace, and owns a
 * private resource of each kind, registered by the platform over NATS.
 */
export interface World {
  organizationId: string;
  organizationName: string;
  admin: SignedInUser;
  member: SignedInUser;
  pendingInvitationId: string;
  memberApiKeyId: string;
  memberSshKeyId: string;
  defaultProjectId: string;
  projectId: string;
  memberWorkspaceId: string;
  memberResources: Record<ResourceKind, string>;
}

/** The private secrets each person of a world has: one in use, one deleted (to undelete). */
export const WORLD_SECRETS = { active: 'WORLD_SECRET', deleted: 'WORLD_DELETED_SECRET' } as const;

/** A new API key: its id, and the key itself, shown in the create reply only. */
export interface CreatedApiKey {
  id: string;
  key: string;
  reply: HttpResponse;
}

/** Throws unless the response has the status: fixtures must not fail quietly. */
export function expectStatus(response: HttpResponse, status: number, what: string): HttpResponse {
  if (response.status !== status) {
    throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response;
}

export async function signIn(stack: Stack, email: string): Promise<SignedInUser> {
  const { token, userId } = await stack.signIn(email);
  return { token, userId, email };
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

/** `owner` creates an API key in the organization (by default with every scope). */
export async function createApiKey(
  stack: Stack,
  owner: SignedInUser,
  organizationId: string,
  json: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<CreatedApiKey> {
  const response = await stack.request({
    method: 'POST',
    path: '/v1/api-keys',
    token: owner.token,
    headers: { [ORGANIZATION_HEADER]: organizationId, ...headers },
    json: { name: 'Test key', ...json },
  });
  const { id, key } = expectStatus(response, 201, 'create an API key').body.data;
  return { id, key, reply: response };
}

/**
 * The header that makes the next request see the write that answered `response` (read-your-writes
 * across instances and caches: the write's change notice may come after its reply).
 */
export function after(response: HttpResponse): Record<string, string> {
  return {
    [HTTP_HEADERS.consistencyPosition]: response.headers.get(HTTP_HEADERS.consistencyPosition)!,
  };
}

/** Lets the stack's platform client (NATS) see a write made through the HTTP API. */
export function platformSaw(stack: Stack, response: HttpResponse): void {
  const header = response.headers.get(HTTP_HEADERS.consistencyPosition);
  const position = header ? parsePosition(header) : null;
  if (position) stack.platform.saw(position);
}

/**
 * The platform registers a resource over NATS as the stack's registrar (a new id, a name derived
 * from the kind unless given; private, in the default project unless the request says otherwise).
 */
export async function registerResource(
  stack: Stack,
  request: Omit<RegisterResourceRequest, 'resourceId' | 'name'> & { name?: string },
): Promise<ResourceView> {
  const { data } = await stack.platform.request<ResourceView>(
    RESOURCES_SUBJECTS.registerResource,
    { resourceId: randomUUID(), name: `${request.kind} ${randomUUID().slice(0, 8)}`, ...request },
    null,
    { serviceCredential: stack.resourceRegistrar.credential },
  );
  return data;
}

/**
 * `admin` creates an organization and a project, invites `member`, who accepts and adds an API key,
 * an SSH key and an organization workspace; the platform registers a private resource of each kind
 * for `member`; `admin` invites someone else, who does not answer; both set their WORLD_SECRETS.
 */
export async function buildWorld(
  stack: Stack,
  admin: SignedInUser,
  member: SignedInUser,
): Promise<World> {
  const send = (request: HttpRequest, status: number, what: string) =>
    stack.request(request).then((response) => expectStatus(response, status, what));
  const organizationName = `World ${randomUUID()}`;
  const created = await send(
    {
      method: 'POST',
      path: '/v1/organizations',
      token: admin.token,
      json: { name: organizationName },
    },
    201,
    'create organization',
  );
  const organizationId: string = created.body.data.id;
  const invitation = await send(
    {
      method: 'POST',
      path: `/v1/organizations/${organizationId}/invitations`,
      token: admin.token,
      headers: after(created),
      json: { email: member.email, role: 'member' },
    },
    201,
    'invite the member',
  );
  const accepted = await send(
    {
      method: 'POST',
      path: `/v1/invitations/${invitation.body.data.id}/accept`,
      token: member.token,
    },
    200,
    'accept the invitation',
  );
  platformSaw(stack, accepted);
  const [pending, memberApiKey, memberSshKey, project, memberWorkspace, resources] =
    await Promise.all([
      send(
        {
          method: 'POST',
          path: `/v1/organizations/${organizationId}/invitations`,
          token: admin.token,
          json: { email: uniqueEmail('pending'), role: 'member' },
        },
        201,
        'invite someone else',
      ),
      createApiKey(stack, member, organizationId, { name: 'Member key' }, after(accepted)),
      send(
        {
          method: 'POST',
          path: '/v1/ssh-keys',
          token: member.token,
          headers: { [ORGANIZATION_HEADER]: organizationId, ...after(accepted) },
          json: { name: 'Member laptop', publicKey: newSshPublicKey() },
        },
        201,
        'add an SSH key',
      ),
      send(
        {
          method: 'POST',
          path: '/v1/projects',
          token: admin.token,
          headers: { [ORGANIZATION_HEADER]: organizationId, ...after(accepted) },
          json: { name: 'World project' },
        },
        201,
        'create a project',
      ),
      send(
        {
          method: 'POST',
          path: '/v1/workspaces',
          token: member.token,
          headers: { [ORGANIZATION_HEADER]: organizationId, ...after(accepted) },
          json: { name: 'Member workspace' },
        },
        201,
        'create a workspace',
      ),
      Promise.all(
        RESOURCE_KINDS.map((kind) =>
          registerResource(stack, { organizationId, kind, ownerUserId: member.userId }),
        ),
      ),
      seedSecrets(stack, admin, organizationId, after(accepted)),
      seedSecrets(stack, member, organizationId, after(accepted)),
    ]);
  return {
    organizationId,
    organizationName,
    admin,
    member,
    pendingInvitationId: pending.body.data.id,
    memberApiKeyId: memberApiKey.id,
    memberSshKeyId: memberSshKey.body.data.id,
    defaultProjectId: created.body.data.defaultProjectId,
    projectId: project.body.data.id,
    memberWorkspaceId: memberWorkspace.body.data.id,
    memberResources: Object.fromEntries(
      resources.map((resource) => [resource.kind, resource.id]),
    ) as Record<ResourceKind, string>,
  };
}

/** `user`'s WORLD_SECRETS in the organization; resolves once the deleted one is deleted. */
async function seedSecrets(
  stack: Stack,
  user: SignedInUser,
  organizationId: string,
  headers: Record<string, string>,
): Promise<void> {
  const inOrganization = { [ORGANIZATION_HEADER]: organizationId, ...headers };
  const set = (name: string) =>
    stack
      .request({
        method: 'POST',
        path: '/v1/secrets',
        token: user.token,
        headers: inOrganization,
        json: { name, value: `${name.toLowerCase()}-${randomUUID()}` },
      })
      .then((response) => expectStatus(response, 200, `set ${name}`));
  const [, toDelete] = await Promise.all([set(WORLD_SECRETS.active), set(WORLD_SECRETS.deleted)]);
  expectStatus(
    await stack.request({
      method: 'DELETE',
      path: `/v1/secrets/${WORLD_SECRETS.deleted}`,
      token: user.token,
      headers: { ...inOrganization, ...after(toDelete) },
    }),
    200,
    `delete ${WORLD_SECRETS.deleted}`,
  );
}

/** `admin` invites `user` into the world's organization as a Member; `user` accepts. */
export async function joinWorld(
  stack: Stack,
  world: World,
  user: SignedInUser,
): Promise<HttpResponse> {
  const invitation = expectStatus(
    await stack.request({
      method: 'POST',
      path: `/v1/organizations/${world.organizationId}/invitations`,
      token: world.admin.token,
      json: { email: user.email, role: 'member' },
    }),
    201,
    'invite a member',
  );
  return expectStatus(
    await stack.request({
      method: 'POST',
      path: `/v1/invitations/${invitation.body.data.id}/accept`,
      token: user.token,
      headers: after(invitation),
    }),
    200,
    'accept the invitation',
  );
}
