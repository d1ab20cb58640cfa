import { requireCaller, type RequestContext } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import type { KeyActor } from './domain/key-access';

/**
 * The caller as the actor of a keys request: the gateway states the organization the request
 * acts in and the caller's role there (for an API key, its owner's current role), and keys live
 * in organizations. This service keeps no membership state of its own, so it relies on the
 * gateway's resolution, which membership's access-change notices keep fresh.
 */
export function keyActorOf(context: RequestContext): KeyActor {
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
