import { parsePosition, type Position } from '@orgplane/event-store';
import type { RequestContext } from '@orgplane/messaging';
import { NoticedCache } from '../../src/authorization/noticed-cache';
import { manualClock } from '../conventions/conventions-test-app';

const context: RequestContext = {
  requestId: 'req_1',
  correlationId: 'req_1',
  causationId: 'req_1',
};
const position = (text: string): Position => parsePosition(text)!;

/** A load the test answers by hand, recording what each call was asked. */
function manualLoads() {
  const calls: { key: string; minPosition?: Position; answer: (value: string) => void }[] = [];
  const load = (key: string, { minPosition }: RequestContext) =>
    new Promise<string>((answer) => calls.push({ key, minPosition, answer }));
  return { calls, load };
}

/** Answers every load with the key and the number of loads so far. */
function countingLoad() {
  let count = 0;
  return {
    count: () => count,
    load: async (key: string) => `${key}#${++count}`,
  };
}

describe('NoticedCache', () => {
  it('answers from memory until the TTL, then loads again', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
    const { load, count } = countingLoad();
    const cache = new NoticedCache(load, { ttlMs: () => 1000, maxEntries: 10, clock });
    expect(await cache.get('a', context)).toBe('a#1');
    clock.advance(999);
    expect(await cache.get('a', context)).toBe('a#1');
    clock.advance(1);
    expect(await cache.get('a', context)).toBe('a#2');
    expect(count()).toBe(2);
  });

  it('forgets a key on a notice; the next load reads no older than the notice', async () => {
    const { calls, load } = manualLoads();
    const cache = new NoticedCache(load, { ttlMs: () => 60_000, maxEntries: 10 });
    const first = cache.get('a', context);
    calls[0].answer('old');
    await first;
    cache.forget('a', position('7:7'));
    cache.forget('a', position('5:5'));
    const second = cache.get('a', { ...context, minPosition: position('6:6') });
    expect(calls[1].minPosition).toEqual(position('7:7'));
    calls[1].answer('new');
    expect(await second).toBe('new');
    // answered from memory now, with no position left to wait for
    expect(await cache.get('a', context)).toBe('new');
    expect(calls).toHaveLength(2);
  });

  it('loads again for a request asking for a position past the one its entry was loaded at', async () => {
    const { calls, load } = manualLoads();
    const cache = new NoticedCache(load, { ttlMs: () => 60_000, maxEntries: 10 });
    const first = cache.get('a', context);
    calls[0].answer('before the write');
    await first;
    // the client's write answered at 9:9; its notice has not arrived yet
    const wanted = { ...context, minPosition: position('9:9') };
    const second = cache.get('a', wanted);
    expect(calls[1].minPosition).toEqual(position('9:9'));
    calls[1].answer('after the write');
    expect(await second).toBe('after the write');
    expect(await cache.get('a', wanted)).toBe('after the write');
    expect(await cache.get('a', { ...context, minPosition: position('8:8') })).toBe(
      'after the write',
    );
    expect(calls).toHaveLength(2);
  });

  it('shares one load among concurrent misses of a key, but not across a notice', async () => {
    const { calls, load } = manualLoads();
    const cache = new NoticedCache(load, { ttlMs: () => 60_000, maxEntries: 10 });
    const together = [cache.get('a', context), cache.get('a', context), cache.get('a', context)];
    expect(calls).toHaveLength(1);
    cache.forget('a');
    const afterNotice = cache.get('a', context);
    expect(calls).toHaveLength(2);
    calls[0].answer('first');
    calls[1].answer('second');
    expect(await Promise.all(together)).toEqual(['first', 'first', 'first']);
    expect(await afterNotice).toBe('second');
  });

  it('a miss joins a load only while it is young: one pending longer fails alone', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
    const pending: { answer: (value: string) => void; fail: (error: Error) => void }[] = [];
    const load = () => new Promise<string>((answer, fail) => pending.push({ answer, fail }));
    const cache = new NoticedCache(load, {
      ttlMs: () => 60_000,
      maxEntries: 10,
      shareLoadsWithinMs: 500,
      clock,
    });
    // the first load went to an instance that has died: it fails once its timeout runs out
    const early = cache.get('a', context);
    clock.advance(499);
    const joined = cache.get('a', context);
    expect(pending).toHaveLength(1);
    clock.advance(1);
    const late = cache.get('a', context);
    expect(pending).toHaveLength(2);
    pending[0].fail(new Error('service_timeout'));
    pending[1].answer('from the live instance');
    await expect(early).rejects.toThrow('service_timeout');
    await expect(joined).rejects.toThrow('service_timeout');
    expect(await late).toBe('from the live instance');
  });

  it('answers a load that started before a notice, but does not keep it', async () => {
    const { calls, load } = manualLoads();
    const cache = new NoticedCache(load, { ttlMs: () => 60_000, maxEntries: 10 });
    const racing = cache.get('a', context);
    cache.forget('a');
    calls[0].answer('from before the notice');
    expect(await racing).toBe('from before the notice');
    const after = cache.get('a', context);
    expect(calls).toHaveLength(2);
    calls[1].answer('fresh');
    expect(await after).toBe('fresh');
  });

  it('a clear forgets everything, and keeps no load that started before it', async () => {
    const { calls, load } = manualLoads();
    const cache = new NoticedCache(load, { ttlMs: () => 60_000, maxEntries: 10 });
    const kept = cache.get('a', context);
    calls[0].answer('a');
    await kept;
    const racing = cache.get('b', context);
    cache.clear();
    calls[1].answer('b');
    await racing;
    void cache.get('a', context);
    void cache.get('b', context);
    expect(calls.map(({ key }) => key)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('keeps at most maxEntries, dropping the least recently loaded', async () => {
    const { load, count } = countingLoad();
    const cache = new NoticedCache(load, { ttlMs: () => 60_000, maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) await cache.get(key, context);
    expect(await cache.get('c', context)).toBe('c#3');
    expect(await cache.get('b', context)).toBe('b#2');
    expect(await cache.get('a', context)).toBe('a#4');
    expect(count()).toBe(4);
  });

  it('gives each value its own TTL', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'));
    const { load } = countingLoad();
    const cache = new NoticedCache(load, {
      ttlMs: (value) => (value.startsWith('short') ? 10 : 1000),
      maxEntries: 10,
      clock,
    });
    await cache.get('short', context);
    await cache.get('long', context);
    clock.advance(10);
    expect(await cache.get('short', context)).toBe('short#3');
    expect(await cache.get('long', context)).toBe('long#2');
  });
});
