import {
  accessChangedMessageSchema,
  MEMBERSHIP_SUBJECTS,
  type AccessView,
} from '@orgplane/contracts';
import { maxPosition, parsePosition, type Position } from '@orgplane/event-store';
import type { NatsBroadcast, RequestContext, ServiceClient } from '@orgplane/messaging';

export interface AccessCacheOptions {
  /** safety net for a change notice that never came (a membership instance crashed mid-write) */
  ttlMs: number;
  /** users kept at most; the least recently fetched go first */
  maxEntries: number;
}

interface Entry {
  access: AccessView;
  fetchedAt: number;
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
  private readonly entries = new Map<string, Entry>();
  /** bumped by each notice, so a read that started before the notice is not cached after it */
  private readonly generations = new Map<string, number>();
  /** the position a user's next read must reach: the newest notice's */
  private readonly minPositions = new Map<string, Position>();

  constructor(
    private readonly services: ServiceClient,
    private readonly options: AccessCacheOptions,
  ) {}

  listen(broadcast: NatsBroadcast): void {
    broadcast.subscribe(MEMBERSHIP_SUBJECTS.accessChanged, accessChangedMessageSchema, (notice) => {
      const position = parsePosition(notice.position);
      for (const userId of notice.userIds) this.forget(userId, position ?? undefined);
    });
    broadcast.onReconnect(() => this.entries.clear());
  }

  async of(userId: string, context: RequestContext): Promise<AccessView> {
    const cached = this.entries.get(userId);
    if (cached && Date.now() - cached.fetchedAt < this.options.ttlMs) return cached.access;

    const generation = this.generations.get(userId) ?? 0;
    const noticePosition = this.minPositions.get(userId);
    const { data } = await this.services.request<AccessView>(
      MEMBERSHIP_SUBJECTS.getAccess,
      { userId },
      { ...context, minPosition: newest(context.minPosition, noticePosition) },
    );
    if ((this.generations.get(userId) ?? 0) === generation) {
      this.remember(userId, data);
      this.generations.delete(userId);
      this.minPositions.delete(userId);
    }
    return data;
  }

  /**
   * The notice's bookkeeping lasts until the user's next read completes. Notices about users who
   * never come back are dropped oldest first past `maxEntries`; at worst that caches one read which
   * started before its notice, until `ttlMs`.
   */
  private forget(userId: string, position: Position | undefined): void {
    this.entries.delete(userId);
    const generation = (this.generations.get(userId) ?? 0) + 1;
    this.generations.delete(userId);
    this.generations.set(userId, generation);
    if (position) {
      this.minPositions.set(userId, newest(this.minPositions.get(userId), position) ?? position);
    }
    dropOldest(this.generations, this.options.maxEntries);
    dropOldest(this.minPositions, this.options.maxEntries);
  }

  private remember(userId: string, access: AccessView): void {
    this.entries.delete(userId);
    this.entries.set(userId, { access, fetchedAt: Date.now() });
    dropOldest(this.entries, this.options.maxEntries);
  }
}

/** Maps iterate in insertion order: the first keys are the oldest. */
function dropOldest(map: Map<string, unknown>, maxSize: number): void {
  for (const key of map.keys()) {
    if (map.size <= maxSize) return;
    map.delete(key);
  }
}

function newest(a: Position | undefined, b: Position | undefined): Position | undefined {
  if (!a) return b;
  if (!b) return a;
  return maxPosition(a, b);
}
