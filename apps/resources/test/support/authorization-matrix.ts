/**
 * The authorization matrix: one organization with its principals and one resource of each kind
 * and visibility, the events that make them (as membership, keys and the registering services
 * append them), and the answer each (principal, resource, action) must get, written down from the
 * spec's rules (SPEC "Resources and visibility", "API keys"; issue 6) without the code under test.
 *
 * Shared by apps/resources/test/authorization.int.spec.ts (the answers of `resources.v1.authorize`)
 * and meant for the gateway's HTTP test (the same cases through the HTTP API): the user ids can be
 * given (users signed in through identity), and every API key comes with its secret.
 */
import {
  apiKeyPrefix,
  apiKeyStreamName,
  defaultProjectIdOf,
  generateApiKey,
  hashApiKey,
  keyEvents,
  organizationEvents,
  organizationStreamName,
  resourceEvents,
  resourceStreamName,
  RESOURCE_ACTIONS,
  RESOURCE_KINDS,
  RESOURCE_VISIBILITIES,
  type AuthorizationView,
  type AuthorizeRequest,
  type KeyEvent,
  type OrganizationEvent,
  type OrganizationRole,
  type ResourceAction,
  type ResourceEvent,
  type ResourceKind,
  type ResourceVisibility,
  type Scope,
  type StoredEventShape,
} from '@orgplane/contracts';
import { newId } from '@orgplane/util';

/** Who asks, as the matrix names them. */
export const MATRIX_PRINCIPALS = [
  /** a Member who owns every resource of the matrix */
  'owner',
  /** another Member */
  'otherMember',
  'admin',
  /** a member (the Admin) of another organization only, asking from there */
  'nonMember',
  /** the Admin's key, scopes `*` */
  'adminKey',
  /** the owner's key, scopes `*` */
  'memberKey',
  /** the owner's key with `agent:read` alone */
  'agentReadKey',
  /** the owner's key, `*`, revoked */
  'revokedKey',
  /** a key (`*`) of the other organization's Admin */
  'otherOrgKey',
] as const;
export type MatrixPrincipal = (typeof MATRIX_PRINCIPALS)[number];

export interface MatrixApiKey {
  keyId: string;
  /** the secret, for `X-API-Key` */
  secret: string;
  ownerUserId: string;
  organizationId: string;
  scopes: Scope[];
}

export interface MatrixWorld {
  organizationId: string;
  /** where `nonMember` and `otherOrgKey` belong */
  otherOrganizationId: string;
  users: { owner: string; otherMember: string; admin: string; nonMember: string };
  keys: {
    adminKey: MatrixApiKey;
    memberKey: MatrixApiKey;
    agentReadKey: MatrixApiKey;
    revokedKey: MatrixApiKey;
    otherOrgKey: MatrixApiKey;
  };
  /** kind → visibility → resource id, all owned by `users.owner` in `organizationId` */
  resources: Record<ResourceKind, Record<ResourceVisibility, string>>;
  /** a private agent of `users.admin`, and an org-visible agent of the other organization */
  extraResources: { adminPrivateAgent: string; otherOrganizationAgent: string };
  /** the events that make the world, stream by stream, in the order to append them */
  streams: { streamName: string; events: StoredEventShape[] }[];
}

export interface MatrixCase {
  principal: MatrixPrincipal;
  kind: ResourceKind;
  visibility: ResourceVisibility;
  action: ResourceAction;
  request: AuthorizeRequest;
  expected: AuthorizationView;
}

const at = () => new Date().toISOString();

function organizationEvent(event: OrganizationEvent): StoredEventShape {
  return organizationEvents.encode(event);
}
function keyEvent(event: KeyEvent): StoredEventShape {
  return keyEvents.encode(event);
}
function resourceEvent(event: ResourceEvent): StoredEventShape {
  return resourceEvents.encode(event);
}

/**
 * The matrix's organizations, members, keys and resources as events. `users` picks the user ids
 * (default: fresh ones); the organizations are created by `admin` and by `nonMember`.
 */
export function buildAuthorizationWorld(users: Partial<MatrixWorld['users']> = {}): MatrixWorld {
  const organizationId = newId();
  const otherOrganizationId = newId();
  const ids = {
    owner: users.owner ?? newId(),
    otherMember: users.otherMember ?? newId(),
    admin: users.admin ?? newId(),
    nonMember: users.nonMember ?? newId(),
  };
  const streams: MatrixWorld['streams'] = [];

  const organization = (id: string, creator: string, others: [string, OrganizationRole][]) => {
    const events: StoredEventShape[] = [
      organizationEvent({
        type: 'OrganizationCreated',
        data: {
          organizationId: id,
          name: 'Matrix Co',
          slug: `matrix-${id.slice(0, 8)}`,
          plan: 'free',
          createdBy: creator,
          createdAt: at(),
        },
      }),
      organizationEvent({
        type: 'MemberJoined',
        data: { organizationId: id, userId: creator, role: 'admin', joinedAt: at() },
      }),
      ...others.map(([userId, role]) =>
        organizationEvent({
          type: 'MemberJoined',
          data: { organizationId: id, userId, role, joinedAt: at() },
        }),
      ),
    ];
    streams.push({ streamName: organizationStreamName(id), events });
  };
  organization(organizationId, ids.admin, [
    [ids.owner, 'member'],
    [ids.otherMember, 'member'],
  ]);
  organization(otherOrganizationId, ids.nonMember, []);

  const key = (ownerUserId: string, orgId: string, scopes: Scope[], revoked = false) => {
    const secret = generateApiKey(false);
    const keyId = newId();
    const events = [
      keyEvent({
        type: 'ApiKeyCreated',
        data: {
          keyId,
          organizationId: orgId,
          ownerUserId,
          name: 'matrix',
          keyPrefix: apiKeyPrefix(secret),
          keyHash: hashApiKey(secret),
          scopes,
          projectId: null,
          isTest: false,
          expiresAt: null,
          createdAt: at(),
        },
      }),
    ];
    if (revoked) {
      events.push(
        keyEvent({
          type: 'ApiKeyRevoked',
          data: { keyId, revokedBy: ownerUserId, cause: null, revokedAt: at() },
        }),
      );
    }
    streams.push({ streamName: apiKeyStreamName(keyId), events });
    return { keyId, secret, ownerUserId, organizationId: orgId, scopes };
  };
  const keys: MatrixWorld['keys'] = {
    adminKey: key(ids.admin, organizationId, ['*']),
    memberKey: key(ids.owner, organizationId, ['*']),
    agentReadKey: key(ids.owner, organizationId, ['agent:read']),
    revokedKey: key(ids.owner, organizationId, ['*'], true),
    otherOrgKey: key(ids.nonMember, otherOrganizationId, ['*']),
  };

  const resource = (
    orgId: string,
    kind: ResourceKind,
    ownerUserId: string,
    visibility: ResourceVisibility,
  ) => {
    const resourceId = newId();
    streams.push({
      streamName: resourceStreamName(resourceId),
      events: [
        resourceEvent({
          type: 'ResourceRegistered',
          data: {
            resourceId,
            organizationId: orgId,
            kind,
            name: `${visibility} ${kind}`,
            ownerUserId,
            projectId: defaultProjectIdOf(orgId),
            visibility,
            workspaceIds: [],
            registeredBy: 'matrix',
            registeredAt: at(),
          },
        }),
      ],
    });
    return resourceId;
  };
  const resources = Object.fromEntries(
    RESOURCE_KINDS.map((kind) => [
      kind,
      Object.fromEntries(
        RESOURCE_VISIBILITIES.map((visibility) => [
          visibility,
          resource(organizationId, kind, ids.owner, visibility),
        ]),
      ),
    ]),
  ) as MatrixWorld['resources'];
  const extraResources = {
    adminPrivateAgent: resource(organizationId, 'agent', ids.admin, 'private'),
    otherOrganizationAgent: resource(otherOrganizationId, 'agent', ids.nonMember, 'org'),
  };
  return {
    organizationId,
    otherOrganizationId,
    users: ids,
    keys,
    resources,
    extraResources,
    streams,
  };
}

/** The principal of an authorization request. */
export function principalOf(world: MatrixWorld, principal: MatrixPrincipal) {
  switch (principal) {
    case 'owner':
    case 'otherMember':
    case 'admin':
    case 'nonMember':
      return { type: 'user' as const, userId: world.users[principal] };
    default:
      return { type: 'apiKey' as const, keyId: world.keys[principal].keyId };
  }
}

/** What each scope list of the matrix grants, spelled out: `*` all, `agent:read` reading agents. */
function scopeGrants(principal: MatrixPrincipal, kind: ResourceKind, action: ResourceAction) {
  if (principal !== 'agentReadKey') return true;
  return kind === 'agent' && action === 'read';
}

/**
 * Where the principal acts, which the request names: the non-member in their own organization
 * (asking here they are `not_a_member`), everyone else here (the other organization's key
 * included, which authenticates nowhere but there).
 */
export function organizationOf(world: MatrixWorld, principal: MatrixPrincipal): string {
  return principal === 'nonMember' ? world.otherOrganizationId : world.organizationId;
}

/**
 * The answer the spec gives, principal by principal:
 * - a revoked key, or a key of another organization, authenticates nowhere here: `unknown_api_key`;
 * - someone acting in another organization (its Admin, here) may read and run a public resource
 *   (`public`) and change none (`owner_or_admin_required`); any other resource is `not_found`;
 * - a key acts as its owner (Member or Admin) within its scopes, else `insufficient_scope`, which
 *   is checked before the resource is looked at;
 * - a private resource exists only for its owner and the Admins (`not_found` for other Members);
 * - read/run: owner `owner`, Admin `admin`, other Members `visible_to_members` (`org`) or `public`;
 * - update/delete: owner or Admin, else `owner_or_admin_required`;
 * - publish (to `org`, what an authorization request means): Admins only (`admin_required`),
 *   the owner included.
 */
export function expectedAnswer(
  principal: MatrixPrincipal,
  kind: ResourceKind,
  visibility: ResourceVisibility,
  action: ResourceAction,
): AuthorizationView {
  if (principal === 'revokedKey' || principal === 'otherOrgKey') {
    return { allowed: false, reason: 'unknown_api_key', role: null };
  }
  if (principal === 'nonMember') {
    const outsider = (allowed: boolean, reason: string) => ({
      allowed,
      reason,
      role: 'admin' as const,
    });
    if (visibility !== 'public') return outsider(false, 'not_found');
    return action === 'read' || action === 'run'
      ? outsider(true, 'public')
      : outsider(false, 'owner_or_admin_required');
  }
  const actingAs =
    principal === 'adminKey'
      ? 'admin'
      : principal === 'memberKey' || principal === 'agentReadKey'
        ? 'owner'
        : principal;
  const role: OrganizationRole = actingAs === 'admin' ? 'admin' : 'member';
  const answer = (allowed: boolean, reason: string) => ({ allowed, reason, role });
  if (!scopeGrants(principal, kind, action)) return answer(false, 'insufficient_scope');
  if (visibility === 'private' && actingAs === 'otherMember') return answer(false, 'not_found');
  switch (action) {
    case 'read':
    case 'run':
      if (actingAs === 'owner') return answer(true, 'owner');
      if (actingAs === 'admin') return answer(true, 'admin');
      return answer(true, visibility === 'public' ? 'public' : 'visible_to_members');
    case 'update':
    case 'delete':
      if (actingAs === 'owner') return answer(true, 'owner');
      if (actingAs === 'admin') return answer(true, 'admin');
      return answer(false, 'owner_or_admin_required');
    case 'publish':
      return actingAs === 'admin' ? answer(true, 'admin') : answer(false, 'admin_required');
  }
}

/** Every (principal, kind, visibility, action) of the matrix with its request and answer. */
export function authorizationMatrix(world: MatrixWorld): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const principal of MATRIX_PRINCIPALS) {
    for (const kind of RESOURCE_KINDS) {
      for (const visibility of RESOURCE_VISIBILITIES) {
        for (const action of RESOURCE_ACTIONS) {
          cases.push({
            principal,
            kind,
            visibility,
            action,
            request: {
              principal: principalOf(world, principal),
              organizationId: organizationOf(world, principal),
              action,
              resource: { kind, id: world.resources[kind][visibility] },
            },
            expected: expectedAnswer(principal, kind, visibility, action),
          });
        }
      }
    }
  }
  return cases;
}
