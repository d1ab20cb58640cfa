import type { Clock } from '@orgplane/util';

export const RATE_LIMIT_WINDOW_MS = 60_000;

/**
 * Principals counted at once. Distinct client addresses are cheap to come by (an IPv6 /64 holds
 * billions), so past this the principal counted longest is forgotten: it starts its window again,
 * a lenient failure that keeps memory bounded (about 100 bytes an entry).
 */
export const MAX_TRACKED_PRINCIPALS = 100_000;

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** when the window ends and the count starts again, in unix seconds */
  resetAt: number;
  /** whole seconds until then, at least 1 */
  retryAfterSeconds: number;
}

/**
 * Counts requests per principal in fixed one-minute windows aligned on the clock. All windows
 * end together, so dropping the whole map when a new one begins evicts every expired count at
 * once. A client may send up to twice its limit across a window boundary; for a guard against
 * runaway clients that is acceptable, and it keeps each request at one map lookup.
 */
export class FixedWindowRateLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private counts = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly maxTrackedPrincipals = MAX_TRACKED_PRINCIPALS,
  ) {}

  /** Counts one request of `principal` and tells whether it is within `limit`. */
  take(principal: string, limit: number): RateLimitDecision {
    const now = this.clock.now().getTime();
    const windowStart = now - (now % RATE_LIMIT_WINDOW_MS);
    if (windowStart !== this.windowStart) {
      this.windowStart = windowStart;
      this.counts = new Map();
    }
    const count = (this.counts.get(principal) ?? 0) + 1;
    if (count === 1 && this.counts.size >= this.maxTrackedPrincipals) {
      this.counts.delete(this.counts.keys().next().value!);
    }
    this.counts.set(principal, count);

    const resetAtMs = windowStart + RATE_LIMIT_WINDOW_MS;
    return {
      allowed: count <= limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetAt: Math.ceil(resetAtMs / 1000),
      retryAfterSeconds: Math.max(1, Math.ceil((resetAtMs - now) / 1000)),
    };
  }
}
