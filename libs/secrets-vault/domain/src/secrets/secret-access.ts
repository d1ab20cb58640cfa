import type { OrganizationRole } from '@orgplane/contracts';
import { nameBasedUuid, ServiceError } from '@orgplane/util';

/**
 * Who acts on a secret: a user (signed in, or through one of their API keys) in the organization
 * the request acts in, with their role there, both as the gateway resolved them.
 */
export interface SecretActor {
  userId: string;
  organizationId: string;
  role: OrganizationRole;
}

/**
 * The secret a name means: the organization's own (`ownerUserId` null), or a member's. Its id is
 * derived from all three, so a write meets the existing secret of that name on its stream, and a
 * request can only ever address the caller's own private secrets: another member's private secret,
 * Admins included, is a 404 by construction, and its existence is not revealed.
 */
export function secretIdOf(organizationId: string, ownerUserId: string | null, name: string) {
  return nameBasedUuid('secret', `${organizationId}:${ownerUserId ?? 'organization'}:${name}`);
}

/** The owner a request means: the organization with `orgWide`, else the caller. */
export function ownerMeant(actor: SecretActor, orgWide: boolean | undefined): string | null {
  return orgWide ? null : actor.userId;
}

export function adminRequired(what: string): ServiceError {
  return new ServiceError(
    'forbidden',
    'admin_required',
    `Only an Admin of the organization may ${what}`,
  );
}

/**
 * Writing a secret (set, delete, undelete, destroy) and reading its access log: a private secret's
 * owner; an org-shared one's Admins (its access log names the members who revealed it).
 */
export function requireManager(actor: SecretActor, ownerUserId: string | null, doing: string) {
  if (ownerUserId === null) {
    if (actor.role !== 'admin') throw adminRequired(doing);
  } else if (ownerUserId !== actor.userId) {
    throw ServiceError.notFound('Secret');
  }
}

/**
 * Revealing a value: a private secret's owner; an org-shared one's Admins, and its Members when
 * the organization's policy lets them (`membersMayRevealOrgSecrets`), which only membership knows:
 * `if_policy_allows` asks the handler to find out.
 */
export function revealAccess(
  actor: SecretActor,
  ownerUserId: string | null,
): 'allowed' | 'if_policy_allows' {
  if (ownerUserId !== null) {
    if (ownerUserId !== actor.userId) throw ServiceError.notFound('Secret');
    return 'allowed';
  }
  return actor.role === 'admin' ? 'allowed' : 'if_policy_allows';
}

export function revealNotAllowed(): ServiceError {
  return new ServiceError(
    'forbidden',
    'reveal_not_allowed',
    'The organization’s policy lets only Admins reveal org-shared secrets',
  );
}
