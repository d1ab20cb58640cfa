import {
  grantsScope,
  RESOURCE_ACTION_SCOPES,
  type OrganizationRole,
  type ResourceAction,
  type ResourceKind,
  type ResourceVisibility,
  type Scope,
} from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';

/** Who asks: a user (signed in, or through one of their API keys) and their role where they ask. */
export interface ResourceActor {
  userId: string;
  organizationId: string;
  role: OrganizationRole;
}

/** What access to a registered resource depends on. Its project is not among them. */
export interface AccessedResource {
  organizationId: string;
  kind: ResourceKind;
  ownerUserId: string;
  visibility: ResourceVisibility;
}

export interface ResourceAccessQuestion {
  actor: ResourceActor;
  /** an API key's scopes; absent for a signed-in user, whom only their role limits */
  scopes?: readonly Scope[];
  /** the kind asked about: the HTTP collection, or the kind an authorization request names */
  kind: ResourceKind;
  /** the resource as registered; null when the id is unknown */
  resource: AccessedResource | null;
  action: ResourceAction;
  /** `publish` only: the visibility asked for; absent (an authorization request) counts as `org` */
  visibility?: ResourceVisibility;
  /** `publish` to `public` only: the organization's policy; absent counts as disallowed */
  allowPublicResources?: boolean;
}

export type ResourceAccessDecision =
  | { allowed: true; reason: 'owner' | 'admin' | 'visible_to_members' | 'public' }
  | {
      allowed: false;
      reason:
        | 'not_found'
        | 'insufficient_scope'
        | 'owner_or_admin_required'
        | 'admin_required'
        | 'public_resources_disabled';
    };

type Denial = Extract<ResourceAccessDecision, { allowed: false }>['reason'];

const deny = (reason: Denial): ResourceAccessDecision => ({ allowed: false, reason });

/**
 * May this actor do this action on this resource? The one answer the HTTP handlers enforce and
 * `resources.v1.authorize` gives the platform's services.
 *
 * A key's scope is checked first, as the gateway checks it before the request reaches anyone: it
 * depends on the kind and action alone, so it reveals nothing about the resource. Then a resource
 * the actor may not see (unknown, of another kind, another organization's that is not public, or
 * another member's private one for a non-Admin) is `not_found`, exactly alike, so its existence
 * is not revealed. Reading and running need it visible; changing or removing it needs its owner
 * or an Admin of its organization; publishing it beyond its owner (`org`, `public`) needs an
 * Admin, and `public` the organization's consent.
 *
 * `public` reaches beyond the organization (the reference's marketplace of tools): whoever acts
 * in another organization, Admin or not, may read and run a public resource, and nothing more.
 */
export function decideResourceAccess(question: ResourceAccessQuestion): ResourceAccessDecision {
  const { actor, scopes, kind, resource, action } = question;
  if (scopes && !grantsScope(scopes, RESOURCE_ACTION_SCOPES[kind][action])) {
    return deny('insufficient_scope');
  }
  if (!resource || resource.kind !== kind) return deny('not_found');
  if (resource.organizationId !== actor.organizationId) return decideFromOutside(resource, action);
  const owner = resource.ownerUserId === actor.userId;
  const admin = actor.role === 'admin';
  if (!owner && !admin && resource.visibility === 'private') return deny('not_found');
  const byRole = owner
    ? ({ allowed: true, reason: 'owner' } as const)
    : admin
      ? ({ allowed: true, reason: 'admin' } as const)
      : null;
  switch (action) {
    case 'read':
    case 'run':
      return (
        byRole ?? {
          allowed: true,
          reason: resource.visibility === 'public' ? 'public' : 'visible_to_members',
        }
      );
    case 'update':
    case 'delete':
      return byRole ?? deny('owner_or_admin_required');
    case 'publish': {
      const visibility = question.visibility ?? 'org';
      if (visibility === 'private') return byRole ?? deny('owner_or_admin_required');
      if (!admin) return deny('admin_required');
      if (visibility === 'public' && !question.allowPublicResources) {
        return deny('public_resources_disabled');
      }
      return { allowed: true, reason: 'admin' };
    }
    default: {
      const unknown: never = action;
      throw new Error(`Unknown action ${String(unknown)}`);
    }
  }
}

/**
 * An actor of another organization: its roles (Admin included) and ownership count only where
 * they were given, so a public resource is theirs to read and run, to change never.
 */
function decideFromOutside(
  resource: AccessedResource,
  action: ResourceAction,
): ResourceAccessDecision {
  if (resource.visibility !== 'public') return deny('not_found');
  if (action === 'read' || action === 'run') return { allowed: true, reason: 'public' };
  return deny('owner_or_admin_required');
}

const DENIAL_MESSAGES: Record<Exclude<Denial, 'not_found'>, string> = {
  insufficient_scope: 'This API key’s scopes do not allow this',
  owner_or_admin_required: 'Only the resource’s owner or an Admin of its organization may do this',
  admin_required: 'Only an Admin may publish a resource to the organization or the public',
  public_resources_disabled: 'This organization does not allow public resources',
};

/**
 * The HTTP side of a decision: the resource when allowed; a denial is a 404 when the resource is
 * not to be revealed, else a 403 whose code is the reason.
 */
export function requireResourceAccess<Resource extends AccessedResource>(
  question: ResourceAccessQuestion & { resource: Resource | null },
): Resource {
  const decision = decideResourceAccess(question);
  if (decision.allowed && question.resource) return question.resource;
  throw accessDenied(decision.allowed ? 'not_found' : decision.reason);
}

function accessDenied(reason: Denial): ServiceError {
  if (reason === 'not_found') return ServiceError.notFound('Resource');
  return new ServiceError('forbidden', reason, DENIAL_MESSAGES[reason]);
}

/**
 * Listing a kind needs the scope its reads need (an API key), and `all=true` (every member's,
 * private ones included) an Admin.
 */
export function requireListAccess(
  kind: ResourceKind,
  { role, scopes, all }: { role: OrganizationRole; scopes?: readonly Scope[]; all?: boolean },
): void {
  if (scopes && !grantsScope(scopes, RESOURCE_ACTION_SCOPES[kind].read)) {
    throw accessDenied('insufficient_scope');
  }
  if (all && role !== 'admin') {
    throw new ServiceError(
      'forbidden',
      'admin_required',
      'Only an Admin of the organization may list every member’s resources',
    );
  }
}
