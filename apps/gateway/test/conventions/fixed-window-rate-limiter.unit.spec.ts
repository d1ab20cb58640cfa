import { FixedWindowRateLimiter } from '../../src/conventions/rate-limit/fixed-window-rate-limiter';
import { manualClock } from './conventions-test-app';

// 20 seconds into a minute: the window ends 40 seconds later.
const start = new Date('2030-01-01T00:00:20Z');
const windowEnd = Date.parse('2030-01-01T00:01:00Z') / 1000;

describe('FixedWindowRateLimiter', () => {
  it('counts requests down to the limit, then refuses until the window ends', () => {
    const limiter = new FixedWindowRateLimiter(manualClock(start));
    expect(limiter.take('user:a', 2)).toEqual({
      allowed: true,
      limit: 2,
      remaining: 1,
      resetAt: windowEnd,
      retryAfterSeconds: 40,
    });
    expect(limiter.take('user:a', 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.take('user:a', 2)).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('starts every count afresh in the next window', () => {
    const clock = manualClock(start);
    const limiter = new FixedWindowRateLimiter(clock);
    limiter.take('user:a', 1);
    expect(limiter.take('user:a', 1).allowed).toBe(false);
    clock.advance(40_000);
    expect(limiter.take('user:a', 1)).toMatchObject({
      allowed: true,
      resetAt: windowEnd + 60,
      retryAfterSeconds: 60,
    });
  });

  it('keeps principals apart', () => {
    const limiter = new FixedWindowRateLimiter(manualClock(start));
    limiter.take('user:a', 1);
    expect(limiter.take('user:a', 1).allowed).toBe(false);
    expect(limiter.take('user:b', 1).allowed).toBe(true);
    expect(limiter.take('ip:10.0.0.1', 1).allowed).toBe(true);
  });

  it('never counts more principals than its bound, forgetting the oldest first', () => {
    const limiter = new FixedWindowRateLimiter(manualClock(start), 3);
    for (const principal of ['ip:1', 'ip:2', 'ip:3']) limiter.take(principal, 1);
    expect(limiter.take('ip:3', 1).allowed).toBe(false);
    limiter.take('ip:4', 1); // forgets ip:1
    expect(limiter.take('ip:1', 1).allowed).toBe(true); // forgets ip:2
    expect(limiter.take('ip:3', 1).allowed).toBe(false);
    expect(limiter.take('ip:4', 1).allowed).toBe(false);
  });
});
