import {
  acceptInvitationRequestSchema,
  changeMemberRoleRequestSchema,
  createInvitationRequestSchema,
  createOrganizationRequestSchema,
  devSignInRequestSchema,
  listInvitationsRequestSchema,
  listMembersRequestSchema,
  listMyInvitationsRequestSchema,
  listMyOrganizationsRequestSchema,
  resendInvitationRequestSchema,
  switchActiveOrganizationRequestSchema,
  updateOrganizationBodySchema,
  createApiKeyRequestSchema,
  listApiKeysRequestSchema,
  updateApiKeyBodySchema,
  rotateApiKeyBodySchema,
  addSshKeyRequestSchema,
  listSshKeysRequestSchema,
  setSecretBodySchema,
  listSecretsRequestSchema,
  secretTargetSchema,
  secretPageQuerySchema,
  revealSecretBodySchema,
  createProjectRequestSchema,
  listProjectsRequestSchema,
  updateProjectBodySchema,
  createWorkspaceRequestSchema,
  listWorkspacesRequestSchema,
  updateWorkspaceBodySchema,
  deleteWorkspaceQuerySchema,
  listResourcesQuerySchema,
  updateResourceBodySchema,
  publishResourceBodySchema,
  listAuditEntriesRequestSchema,
  exportAuditEntriesQuerySchema,
  verifyAuditChainRequestSchema,
  historyStateQuerySchema,
  historyDiffQuerySchema,
  RESOURCE_ACTION_SCOPES,
  RESOURCE_COLLECTIONS,
  RESOURCE_KINDS,
  type OrganizationRole,
  type ResourceKind,
  type Scope,
} from '@orgplane/contracts';
import type { z } from 'zod';

/**
 * What an API key needs to call a route: `scope`, granted by the key's scopes (`grantsScope`:
 * the scope itself, its resource's `:*`, or `*`); a route without one takes any valid key. A
 * `sessionOnly` route refuses API keys (403 `session_required`): it acts beyond the key's one
 * organization (creating, listing or switching organizations, accepting invitations).
 */
export interface KeyAccess {
  scope?: Scope;
  sessionOnly?: true;
}

/**
 * Who may call a route: the gateway's one authorization table. The AuthorizationGuard enforces it
 * for every route, the OpenAPI document describes it, and the authorization matrix test walks it.
 *
 * - `public`: no credentials (sign-in, webhooks, the OpenAPI document).
 * - `signedIn`: any valid session; the route acts for the caller alone, in no organization.
 * - `organization`: the route acts inside one organization, named by the path's `{id}` (`path`) or
 *   by `X-Org-Id` / the session's active organization (`context`); the caller must be a member with
 *   one of `roles`. `allFlag`: the list takes `all=true`, which only Admins may send.
 *
 * An API key always acts in its own organization, as its owner with the owner's current role, and
 * only within its scopes (KeyAccess).
 */
export type RouteAccess =
  | { kind: 'public' }
  | ({ kind: 'signedIn' } & KeyAccess)
  | ({
      kind: 'organization';
      from: 'path' | 'context';
      roles: readonly OrganizationRole[];
      /** `all=true` is for Admins, and for API keys also needs `admin:resources` */
      allFlag?: boolean;
    } & KeyAccess);

type OrganizationAccess = Extract<RouteAccess, { kind: 'organization' }>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI style: `/v1/organizations/{id}` */
  path: string;
  summary: string;
  tag: string;
  access: RouteAccess;
  /** status of a success */
  status: 200 | 201 | 204 | 302;
  /** the JSON body the route takes, for the OpenAPI document */
  body?: z.ZodObject;
  /** the query parameters it takes */
  query?: z.ZodObject;
  /** the response `data` is a page of items, with `meta.hasMore` / `meta.nextCursor` */
  paginated?: boolean;
  /**
   * The reply holds a secret shown only once (a new API key). An Idempotency-Key then keeps the
   * claim but not the reply: a retry writes nothing and gets 409 `idempotency_replay_unavailable`
   * naming what was created, so the secret never rests in the idempotency store.
   */
  secretInReply?: true;
  /**
   * The reply is a file, not an envelope: these media types, streamed (the export of the audit
   * log). The OpenAPI document describes it so.
   */
  produces?: readonly string[];
}

const ANY_ROLE = ['admin', 'member'] as const;
const ADMIN = ['admin'] as const;
const withoutPathFields = { organizationId: true } as const;

/** The registry's operations on each kind, and the action of RESOURCE_ACTION_SCOPES each one is. */
const REGISTRY_OPERATIONS = {
  list: { method: 'GET', item: false, action: 'read', summary: 'The {kinds} the caller may see' },
  get: { method: 'GET', item: true, action: 'read', summary: 'A {kind} the caller may see' },
  update: {
    method: 'PATCH',
    item: true,
    action: 'update',
    summary: 'Rename a {kind}, or move it to another project (its owner, or an Admin)',
  },
  delete: {
    method: 'DELETE',
    item: true,
    action: 'delete',
    summary: 'Remove a {kind} from the registry (its owner, or an Admin)',
  },
  publish: {
    method: 'POST',
    item: true,
    action: 'publish',
    summary: 'Change a {kind}’s visibility (to `org` or `public`: an Admin)',
  },
} as const;
type RegistryOperation = keyof typeof REGISTRY_OPERATIONS;
type Collection = (typeof RESOURCE_COLLECTIONS)[ResourceKind];
export type RegistryOperationId = `registry.${Collection}.${RegistryOperation}`;

/** The operation id of one registry route: `registryOperationId('agent', 'list')`. */
export function registryOperationId(
  kind: ResourceKind,
  operation: RegistryOperation,
): RegistryOperationId {
  return `registry.${RESOURCE_COLLECTIONS[kind]}.${operation}`;
}

/**
 * The registry's routes, the same five for each kind at `/v1/{collection}`. Each takes its API-key
 * scope from RESOURCE_ACTION_SCOPES, the table `resources.v1.authorize` reads too, so a platform
 * service's check answers as the HTTP API does. Who may act on which resource (its owner, Admins,
 * its visibility) is the resources service's to decide: the table only asks for membership.
 */
function registryRoutes(): Record<RegistryOperationId, RouteSpec & { access: OrganizationAccess }> {
  const entries = RESOURCE_KINDS.flatMap((kind) =>
    (Object.keys(REGISTRY_OPERATIONS) as RegistryOperation[]).map((operation) => {
      const { method, item, action, summary } = REGISTRY_OPERATIONS[operation];
      const collection = RESOURCE_COLLECTIONS[kind];
      const route: RouteSpec & { access: OrganizationAccess } = {
        method,
        path: `/v1/${collection}${item ? '/{id}' : ''}${operation === 'publish' ? '/publish' : ''}`,
        summary: summary.replace('{kinds}', collection).replace('{kind}', kind),
        tag: collection,
        access: {
          kind: 'organization',
          from: 'context',
          roles: ANY_ROLE,
          scope: RESOURCE_ACTION_SCOPES[kind][action],
          ...(operation === 'list' ? { allFlag: true } : {}),
        },
        status: 200,
        ...(operation === 'list' ? { query: listResourcesQuerySchema, paginated: true } : {}),
        ...(operation === 'update' ? { body: updateResourceBodySchema } : {}),
        ...(operation === 'publish' ? { body: publishResourceBodySchema } : {}),
      };
      return [registryOperationId(kind, operation), route] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<
    RegistryOperationId,
    RouteSpec & { access: OrganizationAccess }
  >;
}

/** Every route of the HTTP API, by operation id. */
export const ROUTES = {
  // --- sign-in -----------------------------------------------------------------------------
  'auth.devSignIn': {
    method: 'POST',
    path: '/v1/auth/dev/sign-in',
    summary: 'Sign in with the local provider (development; refused in production)',
    tag: 'auth',
    access: { kind: 'public' },
    status: 200,
    body: devSignInRequestSchema,
  },
  'auth.workos.authorize': {
    method: 'GET',
    path: '/v1/auth/workos/authorize',
    summary: 'The WorkOS AuthKit authorization URL to send the browser to',
    tag: 'auth',
    access: { kind: 'public' },
    status: 200,
  },
  'auth.workos.callback': {
    method: 'GET',
    path: '/v1/auth/workos/callback',
    summary: 'Exchange the AuthKit code for a session (sets the sealed session cookie)',
    tag: 'auth',
    access: { kind: 'public' },
    status: 200,
  },
  'auth.refresh': {
    method: 'POST',
    path: '/v1/auth/refresh',
    summary: 'A fresh access token for the sealed session cookie',
    tag: 'auth',
    access: { kind: 'public' },
    status: 200,
  },
  'auth.logout': {
    method: 'POST',
    path: '/v1/auth/logout',
    summary: 'End the session; clears the cookie and returns the WorkOS logout URL',
    tag: 'auth',
    access: { kind: 'public' },
    status: 200,
  },
  'webhooks.workos': {
    method: 'POST',
    path: '/v1/webhooks/workos',
    summary: 'WorkOS events (signature checked): users and memberships kept in step',
    tag: 'auth',
    access: { kind: 'public' },
    status: 200,
  },
  // --- the caller ----------------------------------------------------------------------------
  'auth.status': {
    method: 'GET',
    path: '/v1/auth/status',
    summary:
      'What the credentials sent are: a session or an API key, for whom, in which organization, with which role and scopes (answered by the gateway alone)',
    tag: 'auth',
    access: { kind: 'signedIn' },
    status: 200,
  },
  'me.get': {
    method: 'GET',
    path: '/v1/me',
    summary: 'The signed-in user',
    tag: 'profile',
    access: { kind: 'signedIn' },
    status: 200,
  },
  'me.listInvitations': {
    method: 'GET',
    path: '/v1/me/invitations',
    summary: 'Pending invitations addressed to the caller’s verified email',
    tag: 'invitations',
    access: { kind: 'signedIn', sessionOnly: true },
    status: 200,
    query: listMyInvitationsRequestSchema,
    paginated: true,
  },
  // --- organizations -------------------------------------------------------------------------
  'organizations.create': {
    method: 'POST',
    path: '/v1/organizations',
    summary: 'Create an organization; the caller becomes its Admin',
    tag: 'organizations',
    access: { kind: 'signedIn', sessionOnly: true },
    status: 201,
    body: createOrganizationRequestSchema,
  },
  'organizations.listMine': {
    method: 'GET',
    path: '/v1/organizations',
    summary: 'The organizations the caller belongs to',
    tag: 'organizations',
    access: { kind: 'signedIn', sessionOnly: true },
    status: 200,
    query: listMyOrganizationsRequestSchema,
    paginated: true,
  },
  'organizations.getCurrent': {
    method: 'GET',
    path: '/v1/organizations/current',
    summary: 'The active organization (X-Org-Id, else the session’s)',
    tag: 'organizations',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'org:read' },
    status: 200,
  },
  'organizations.switchCurrent': {
    method: 'PUT',
    path: '/v1/organizations/current',
    summary: 'Switch the active organization',
    tag: 'organizations',
    access: { kind: 'signedIn', sessionOnly: true },
    status: 200,
    body: switchActiveOrganizationRequestSchema,
  },
  'organizations.get': {
    method: 'GET',
    path: '/v1/organizations/{id}',
    summary: 'An organization the caller belongs to',
    tag: 'organizations',
    access: { kind: 'organization', from: 'path', roles: ANY_ROLE, scope: 'org:read' },
    status: 200,
  },
  'organizations.update': {
    method: 'PATCH',
    path: '/v1/organizations/{id}',
    summary: 'Rename, or change settings and policy (Admin)',
    tag: 'organizations',
    access: { kind: 'organization', from: 'path', roles: ADMIN, scope: 'org:write' },
    status: 200,
    body: updateOrganizationBodySchema,
  },
  'organizations.delete': {
    method: 'DELETE',
    path: '/v1/organizations/{id}',
    summary: 'Delete the organization (Admin)',
    tag: 'organizations',
    access: { kind: 'organization', from: 'path', roles: ADMIN, scope: '*' },
    status: 200,
  },
  // --- members -------------------------------------------------------------------------------
  'members.list': {
    method: 'GET',
    path: '/v1/organizations/{id}/members',
    summary: 'The organization’s members',
    tag: 'members',
    access: { kind: 'organization', from: 'path', roles: ANY_ROLE, scope: 'org:read' },
    status: 200,
    query: listMembersRequestSchema.omit(withoutPathFields),
    paginated: true,
  },
  'members.changeRole': {
    method: 'PATCH',
    path: '/v1/organizations/{id}/members/{userId}',
    summary: 'Change a member’s role (Admin; never the last Admin)',
    tag: 'members',
    access: { kind: 'organization', from: 'path', roles: ADMIN, scope: 'org:members' },
    status: 200,
    body: changeMemberRoleRequestSchema.omit({ organizationId: true, userId: true }),
  },
  'members.remove': {
    method: 'DELETE',
    path: '/v1/organizations/{id}/members/{userId}',
    summary: 'Remove a member (Admin; never the last Admin)',
    tag: 'members',
    access: { kind: 'organization', from: 'path', roles: ADMIN, scope: 'org:members' },
    status: 200,
  },
  'members.leave': {
    method: 'POST',
    path: '/v1/organizations/{id}/leave',
    summary: 'Leave the organization (never as its last Admin)',
    tag: 'members',
    access: { kind: 'organization', from: 'path', roles: ANY_ROLE, scope: 'org:members' },
    status: 200,
  },
  // --- invitations ---------------------------------------------------------------------------
  'invitations.create': {
    method: 'POST',
    path: '/v1/organizations/{id}/invitations',
    summary: 'Invite an email with a role (Admin; 7 days by default, at most 30)',
    tag: 'invitations',
    access: { kind: 'organization', from: 'path', roles: ADMIN, scope: 'org:members' },
    status: 201,
    body: createInvitationRequestSchema.omit(withoutPathFields),
  },
  'invitations.list': {
    method: 'GET',
    path: '/v1/organizations/{id}/invitations',
    summary: 'The organization’s invitations (Admin)',
    tag: 'invitations',
    access: { kind: 'organization', from: 'path', roles: ADMIN, scope: 'org:members' },
    status: 200,
    query: listInvitationsRequestSchema.omit(withoutPathFields),
    paginated: true,
  },
  'invitations.revoke': {
    method: 'DELETE',
    path: '/v1/organizations/{id}/invitations/{invitationId}',
    summary: 'Revoke a pending invitation (Admin)',
    tag: 'invitations',
    access: { kind: 'organization', from: 'path', roles: ADMIN, scope: 'org:members' },
    status: 200,
  },
  'invitations.resend': {
    method: 'POST',
    path: '/v1/organizations/{id}/invitations/{invitationId}/resend',
    summary: 'Send a pending or expired invitation again, with a fresh lifetime (Admin)',
    tag: 'invitations',
    access: { kind: 'organization', from: 'path', roles: ADMIN, scope: 'org:members' },
    status: 200,
    body: resendInvitationRequestSchema.omit({ organizationId: true, invitationId: true }),
  },
  'invitations.accept': {
    method: 'POST',
    path: '/v1/invitations/{invitationId}/accept',
    summary: 'Accept an invitation addressed to the caller’s verified email',
    tag: 'invitations',
    access: { kind: 'signedIn', sessionOnly: true },
    status: 200,
    body: acceptInvitationRequestSchema.omit({ invitationId: true }),
  },
  // --- API keys --------------------------------------------------------------------------------
  'apiKeys.create': {
    method: 'POST',
    path: '/v1/api-keys',
    summary: 'Create an API key; the key is in this response only',
    tag: 'api-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: '*' },
    status: 201,
    body: createApiKeyRequestSchema,
    secretInReply: true,
  },
  'apiKeys.list': {
    method: 'GET',
    path: '/v1/api-keys',
    summary: 'The caller’s API keys (`all=true`: every member’s, Admin)',
    tag: 'api-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, allFlag: true, scope: '*' },
    status: 200,
    query: listApiKeysRequestSchema,
    paginated: true,
  },
  'apiKeys.get': {
    method: 'GET',
    path: '/v1/api-keys/{id}',
    summary: 'An API key’s metadata',
    tag: 'api-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: '*' },
    status: 200,
  },
  'apiKeys.update': {
    method: 'PATCH',
    path: '/v1/api-keys/{id}',
    summary: 'Rename an API key, or change its scopes or project',
    tag: 'api-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: '*' },
    status: 200,
    body: updateApiKeyBodySchema,
  },
  'apiKeys.revoke': {
    method: 'DELETE',
    path: '/v1/api-keys/{id}',
    summary: 'Revoke an API key (its owner, or an Admin)',
    tag: 'api-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: '*' },
    status: 200,
  },
  'apiKeys.rotate': {
    method: 'POST',
    path: '/v1/api-keys/{id}/rotate',
    summary: 'A new secret for the key; the old one works for a grace period (0 to 24 h)',
    tag: 'api-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: '*' },
    status: 200,
    body: rotateApiKeyBodySchema,
    secretInReply: true,
  },
  // --- SSH keys --------------------------------------------------------------------------------
  'sshKeys.add': {
    method: 'POST',
    path: '/v1/ssh-keys',
    summary: 'Register an OpenSSH public key',
    tag: 'ssh-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'ssh-key:*' },
    status: 201,
    body: addSshKeyRequestSchema,
  },
  'sshKeys.list': {
    method: 'GET',
    path: '/v1/ssh-keys',
    summary: 'The caller’s SSH keys (`all=true`: every member’s, Admin)',
    tag: 'ssh-keys',
    access: {
      kind: 'organization',
      from: 'context',
      roles: ANY_ROLE,
      allFlag: true,
      scope: 'ssh-key:*',
    },
    status: 200,
    query: listSshKeysRequestSchema,
    paginated: true,
  },
  'sshKeys.get': {
    method: 'GET',
    path: '/v1/ssh-keys/{id}',
    summary: 'An SSH key',
    tag: 'ssh-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'ssh-key:*' },
    status: 200,
  },
  'sshKeys.delete': {
    method: 'DELETE',
    path: '/v1/ssh-keys/{id}',
    summary: 'Delete an SSH key (its owner, or an Admin)',
    tag: 'ssh-keys',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'ssh-key:*' },
    status: 200,
  },
  // --- secrets ---------------------------------------------------------------------------------
  // Who may do what to one secret (its owner; Admins for org-shared writes; the policy for
  // revealing org-shared ones) is the vault's to decide: the table only asks for membership.
  'secrets.set': {
    method: 'POST',
    path: '/v1/secrets',
    summary: 'Create a secret, or rotate it when the name exists (`orgWide`: org-shared, Admin)',
    tag: 'secrets',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'secret:write' },
    status: 200,
    body: setSecretBodySchema,
  },
  'secrets.list': {
    method: 'GET',
    path: '/v1/secrets',
    summary:
      'Metadata of the caller’s and the org-shared secrets (`all=true`: every member’s; ' +
      '`userOnly`, `orgOnly`, `category`, `scope`: only those)',
    tag: 'secrets',
    access: {
      kind: 'organization',
      from: 'context',
      roles: ANY_ROLE,
      allFlag: true,
      scope: 'secret:read',
    },
    status: 200,
    query: listSecretsRequestSchema,
    paginated: true,
  },
  'secrets.get': {
    method: 'GET',
    path: '/v1/secrets/{name}',
    summary: 'A secret’s metadata, never its value',
    tag: 'secrets',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'secret:read' },
    status: 200,
    query: secretTargetSchema,
  },
  'secrets.reveal': {
    method: 'POST',
    path: '/v1/secrets/{name}/reveal',
    summary: 'A secret’s value (audited: who, what, when)',
    tag: 'secrets',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'secret:reveal' },
    status: 200,
    body: revealSecretBodySchema,
    secretInReply: true,
  },
  'secrets.delete': {
    method: 'DELETE',
    path: '/v1/secrets/{name}',
    summary: 'Delete a secret (soft: undelete brings it back until it is destroyed)',
    tag: 'secrets',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'secret:write' },
    status: 200,
    query: secretTargetSchema,
  },
  'secrets.undelete': {
    method: 'POST',
    path: '/v1/secrets/{name}/undelete',
    summary: 'Bring back a deleted secret',
    tag: 'secrets',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'secret:write' },
    status: 200,
    body: secretTargetSchema,
  },
  'secrets.destroy': {
    method: 'POST',
    path: '/v1/secrets/{name}/destroy',
    summary: 'Destroy a secret and every kept version: its values can never be read again',
    tag: 'secrets',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'secret:write' },
    status: 200,
    body: secretTargetSchema,
  },
  'secrets.versions': {
    method: 'GET',
    path: '/v1/secrets/{name}/versions',
    summary: 'The kept versions of a secret (the last 10), newest first',
    tag: 'secrets',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'secret:read' },
    status: 200,
    query: secretPageQuerySchema,
    paginated: true,
  },
  'secrets.accessLog': {
    method: 'GET',
    path: '/v1/secrets/{name}/access-log',
    summary: 'Who revealed the secret and which services used it, newest first',
    tag: 'secrets',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'secret:read' },
    status: 200,
    query: secretPageQuerySchema,
    paginated: true,
  },
  // --- projects ------------------------------------------------------------------------------
  // Projects group resources for navigation and never grant anything: every member reads them.
  'projects.create': {
    method: 'POST',
    path: '/v1/projects',
    summary: 'Create a project (Admin)',
    tag: 'projects',
    access: { kind: 'organization', from: 'context', roles: ADMIN, scope: 'org:write' },
    status: 201,
    body: createProjectRequestSchema,
  },
  'projects.list': {
    method: 'GET',
    path: '/v1/projects',
    summary: 'The organization’s projects, the default one first',
    tag: 'projects',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'org:read' },
    status: 200,
    query: listProjectsRequestSchema,
    paginated: true,
  },
  'projects.get': {
    method: 'GET',
    path: '/v1/projects/{id}',
    summary: 'A project',
    tag: 'projects',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'org:read' },
    status: 200,
  },
  'projects.update': {
    method: 'PATCH',
    path: '/v1/projects/{id}',
    summary: 'Rename or recolour a project (Admin)',
    tag: 'projects',
    access: { kind: 'organization', from: 'context', roles: ADMIN, scope: 'org:write' },
    status: 200,
    body: updateProjectBodySchema,
  },
  'projects.delete': {
    method: 'DELETE',
    path: '/v1/projects/{id}',
    summary:
      'Delete a project (Admin; never the default one): its resources, API keys and SSH keys move to the default project',
    tag: 'projects',
    access: { kind: 'organization', from: 'context', roles: ADMIN, scope: 'org:write' },
    status: 200,
  },
  // --- workspaces (reference §7.7: metadata, quota and usage; file contents live elsewhere) -----
  'workspaces.create': {
    method: 'POST',
    path: '/v1/workspaces',
    summary: 'Create an organization workspace',
    tag: 'workspaces',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'files:write' },
    status: 201,
    body: createWorkspaceRequestSchema,
  },
  'workspaces.list': {
    method: 'GET',
    path: '/v1/workspaces',
    summary:
      'The workspaces the caller may see: the organization’s and their own Personal one (`all=true`: every member’s, Admin)',
    tag: 'workspaces',
    access: {
      kind: 'organization',
      from: 'context',
      roles: ANY_ROLE,
      allFlag: true,
      scope: 'files:read',
    },
    status: 200,
    query: listWorkspacesRequestSchema,
    paginated: true,
  },
  'workspaces.get': {
    method: 'GET',
    path: '/v1/workspaces/{id}',
    summary: 'A workspace (a Personal one: its owner, or an Admin)',
    tag: 'workspaces',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'files:read' },
    status: 200,
  },
  'workspaces.usage': {
    method: 'GET',
    path: '/v1/workspaces/{id}/usage',
    summary: 'The registered sandboxes and agents that mount or attach the workspace',
    tag: 'workspaces',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'files:read' },
    status: 200,
  },
  'workspaces.update': {
    method: 'PATCH',
    path: '/v1/workspaces/{id}',
    summary: 'Rename a workspace, or change its quota',
    tag: 'workspaces',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'files:write' },
    status: 200,
    body: updateWorkspaceBodySchema,
  },
  'workspaces.delete': {
    method: 'DELETE',
    path: '/v1/workspaces/{id}',
    summary: 'Delete a workspace; one in use is a 409 WORKSPACE_IN_USE unless `force=true`',
    tag: 'workspaces',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'files:write' },
    status: 200,
    query: deleteWorkspaceQuerySchema,
  },
  // --- the registry: sandboxes, agents, workflows, tools ---------------------------------------
  ...registryRoutes(),
  // --- audit: the activity log, its export and tamper check, and history replay -----------------
  // Members see the entries they acted in; Admins see everyone's. The auditor capability is an
  // Admin's API key with `activity:read` alone: it reads all of this and can change nothing.
  'activity.list': {
    method: 'GET',
    path: '/v1/activity',
    summary: 'Audit entries: who did what, when, from where (Members: their own; Admins: all)',
    tag: 'audit',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'activity:read' },
    status: 200,
    query: listAuditEntriesRequestSchema,
    paginated: true,
  },
  'activity.export': {
    method: 'GET',
    path: '/v1/activity/export',
    summary: 'Audit entries of a time range, streamed as NDJSON or CSV, oldest first',
    tag: 'audit',
    access: { kind: 'organization', from: 'context', roles: ANY_ROLE, scope: 'activity:read' },
    status: 200,
    query: exportAuditEntriesQuerySchema,
    produces: ['application/x-ndjson', 'text/csv'],
  },
  'activity.verify': {
    method: 'GET',
    path: '/v1/activity/verify',
    summary: 'Check the organization’s hash chain; names the first entry that does not match',
    tag: 'audit',
    access: { kind: 'organization', from: 'context', roles: ADMIN, scope: 'activity:read' },
    status: 200,
    query: verifyAuditChainRequestSchema,
  },
  'history.state': {
    method: 'GET',
    path: '/v1/history',
    summary: 'The organization as of a time or a position, folded from its events',
    tag: 'audit',
    access: { kind: 'organization', from: 'context', roles: ADMIN, scope: 'activity:read' },
    status: 200,
    query: historyStateQuerySchema,
  },
  'history.diff': {
    method: 'GET',
    path: '/v1/history/diff',
    summary: 'What changed in the organization between two moments',
    tag: 'audit',
    access: { kind: 'organization', from: 'context', roles: ADMIN, scope: 'activity:read' },
    status: 200,
    query: historyDiffQuerySchema,
  },
  // --- the API itself ------------------------------------------------------------------------
  'openapi.get': {
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This API’s OpenAPI 3.1 document',
    tag: 'meta',
    access: { kind: 'public' },
    status: 200,
  },
} as const satisfies Record<string, RouteSpec>;

export type OperationId = keyof typeof ROUTES;

export function routeSpec(operationId: OperationId): RouteSpec {
  return ROUTES[operationId];
}
