import { requireCaller, type RequestContext } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import type { SecretActor } from '../secrets/domain/secret-access';

/**
 * The caller as the actor of a secrets request: the gateway states the organization the request
 * acts in and the caller's role there (for an API key, its owner's current role; the key's scopes
 * were checked there too), and secrets live in organizations.
 */
export function secretActorOf(context: RequestContext): SecretActor {
  const caller = requireCaller(context);
  if (!caller.organizationId || !caller.role) {
    throw new ServiceError(
      'validation',
      'organization_required',
      'This request needs an organization context',
    );
  }
  return { userId: caller.userId, organizationId: caller.organizationId, role: caller.role };
}
