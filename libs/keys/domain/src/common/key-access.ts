import type { OrganizationRole } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';

/**
 * Who acts on a key: a user (signed in, or through one of their API keys) in the organization the
 * request acts in, with their role there, both as the gateway resolved them.
 */
export interface KeyActor {
  userId: string;
  organizationId: string;
  role: OrganizationRole;
}

/** What access to an API key or an SSH key depends on. */
export interface OwnedKey {
  organizationId: string;
  ownerUserId: string;
}

/** Its owner sees a key, and so does any Admin of its organization; nobody else. */
function mayView(key: OwnedKey, actor: KeyActor): boolean {
  return (
    key.organizationId === actor.organizationId &&
    (key.ownerUserId === actor.userId || actor.role === 'admin')
  );
}

/**
 * A key the actor may not see is a 404, exactly as an unknown id: whether a key exists in another
 * organization, or belongs to another member, is not revealed.
 */
export function requireVisible<Key extends OwnedKey>(
  key: Key | null,
  actor: KeyActor,
  what: string,
): Key {
  if (!key || !mayView(key, actor)) throw ServiceError.notFound(what);
  return key;
}

/**
 * Changing a key's settings or secret is its owner's business. A Member asking about someone
 * else's key learns nothing (404); an Admin, who can see the key anyway, is told why not (403
 * `owner_only`): an Admin may revoke any key of the organization, but not act as its owner.
 */
export function requireOwner<Key extends OwnedKey>(
  key: Key | null,
  actor: KeyActor,
  what: string,
): Key {
  const visible = requireVisible(key, actor, what);
  if (visible.ownerUserId !== actor.userId) {
    throw new ServiceError('forbidden', 'owner_only', `Only the owner of this ${what} may do this`);
  }
  return visible;
}

/** `all=true` lists every member's keys: Admins only (the gateway checks it too). */
export function requireAdminForAll(all: boolean | undefined, actor: KeyActor): void {
  if (all && actor.role !== 'admin') {
    throw new ServiceError(
      'forbidden',
      'admin_required',
      'Only an Admin of the organization may list every member’s keys',
    );
  }
}
