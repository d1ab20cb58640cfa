import {
  accessChangedMessageSchema,
  MEMBERSHIP_SUBJECTS,
  type AccessView,
} from '@orgplane/contracts';
import { parsePosition } from '@orgplane/event-store';
import type { NatsBroadcast, RequestContext, ServiceClient } from '@orgplane/messaging';
import { NoticedCache } from './noticed-cache';

export interface AccessCacheOptions {
  /** safety net for a change notice that never came (a membership instance crashed mid-write) */
  ttlMs: number;
  /** users kept at most; the least recently fetched go first */
  maxEntries: number;
}

/**
 * Each user's memberships and active organization, as the membership service's read model has
 * them, kept in memory so authorizing a request costs no round trip. The membership service
 * broadcasts `accessChanged` after every write that changes someone's access; every gateway
 * instance drops those users and reads them again no older than the write's position, so a role
 * change or removal holds everywhere within milliseconds. A reconnect to NATS (notices may have
 * been missed) empties the cache; `ttlMs` bounds how long a missed notice can matter.
 */
export class AccessCache {
  private readonly cache: NoticedCache<AccessView>;

  constructor(services: ServiceClient, options: AccessCacheOptions) {
    this.cache = new NoticedCache(
      async (userId, context) =>
        (await services.request<AccessView>(MEMBERSHIP_SUBJECTS.getAccess, { userId }, context))
          .data,
      { ttlMs: () => options.ttlMs, maxEntries: options.maxEntries },
    );
  }

  listen(broadcast: NatsBroadcast): void {
    broadcast.subscribe(MEMBERSHIP_SUBJECTS.accessChanged, accessChangedMessageSchema, (notice) => {
      const position = parsePosition(notice.position) ?? undefined;
      for (const userId of notice.userIds) this.cache.forget(userId, position);
    });
    broadcast.onReconnect(() => this.cache.clear());
  }

  of(userId: string, context: RequestContext): Promise<AccessView> {
    return this.cache.get(userId, context);
  }
}
