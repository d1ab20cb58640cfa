import type { OrganizationRole } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';

/**
 * Who acts on a project or workspace: a user (signed in, or through one of their API keys) in the
 * organization the request acts in, with their role there, as the gateway resolved them.
 */
export interface OrganizationActor {
  userId: string;
  organizationId: string;
  role: OrganizationRole;
}

/** 403 `admin_required`: the caller can see what they asked about, but only an Admin may do this. */
export function requireAdmin(actor: OrganizationActor, doWhat: string): void {
  if (actor.role !== 'admin') {
    throw new ServiceError(
      'forbidden',
      'admin_required',
      `Only an Admin of the organization may ${doWhat}`,
    );
  }
}
