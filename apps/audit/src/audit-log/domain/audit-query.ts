import type { OrganizationRole } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';

/**
 * Whose entries a caller may read: Admins everyone's (`null`: no restriction, or the actor they
 * asked for); Members only those they acted in, as themselves or through their API keys. A Member
 * asking for another actor's entries is refused rather than shown an empty page.
 */
export function visibleActor(
  caller: { userId: string; role: OrganizationRole },
  requestedActorUserId: string | undefined,
): string | null {
  if (caller.role === 'admin') return requestedActorUserId ?? null;
  if (requestedActorUserId !== undefined && requestedActorUserId !== caller.userId) {
    throw ServiceError.forbidden('Members see only the entries they acted in');
  }
  return caller.userId;
}

/** `event_type` as the list takes it: exact actions, and prefixes written `member.*`. */
export interface ActionFilter {
  actions: string[];
  /** with their trailing dot: `member.` */
  prefixes: string[];
}

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** `member.role_changed,api_key.*`: a 400 on `event_type` for anything that is not an action. */
export function parseActionFilter(text: string): ActionFilter {
  const filter: ActionFilter = { actions: [], prefixes: [] };
  for (const item of text.split(',').map((part) => part.trim())) {
    const prefix = item.endsWith('.*') ? item.slice(0, -2) : null;
    if (!ACTION.test(prefix ?? item)) {
      throw ServiceError.validation({
        event_type: [
          `"${item}" is not an action (e.g. member.role_changed) or a prefix (member.*)`,
        ],
      });
    }
    if (prefix) filter.prefixes.push(`${prefix}.`);
    else filter.actions.push(item);
  }
  return filter;
}
