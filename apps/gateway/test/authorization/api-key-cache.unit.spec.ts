import { generateApiKey, hashApiKey, type ApiKeyAuthView } from '@orgplane/contracts';
import type { RequestContext } from '@orgplane/messaging';
import {
  ApiKeyCache,
  UNKNOWN_API_KEY_TTL_MS,
  type ApiKeyLookup,
} from '../../src/authorization/api-key-cache';
import { manualClock } from '../conventions/conventions-test-app';

const context: RequestContext = {
  requestId: 'req_1',
  correlationId: 'req_1',
  causationId: 'req_1',
};
const START = new Date('2026-03-01T12:00:00.000Z');

/** The keys service's answers, by hash, and the lookups the cache made. */
function setUp() {
  const clock = manualClock(START);
  const known = new Map<string, ApiKeyAuthView>();
  const lookups: string[] = [];
  const lookup: ApiKeyLookup = async (keyHash) => {
    lookups.push(keyHash);
    return known.get(keyHash) ?? null;
  };
  const cache = new ApiKeyCache(lookup, { ttlMs: 60_000, maxEntries: 100, clock });
  const register = (key: string, validUntil: Date | null): ApiKeyAuthView => {
    const view: ApiKeyAuthView = {
      keyId: '00000000-0000-4000-8000-000000000001',
      organizationId: '00000000-0000-4000-8000-000000000002',
      ownerUserId: '00000000-0000-4000-8000-000000000003',
      scopes: ['*'],
      validUntil: validUntil?.toISOString() ?? null,
    };
    known.set(hashApiKey(key), view);
    return view;
  };
  return { clock, cache, lookups, register };
}

describe('ApiKeyCache', () => {
  it('refuses a malformed or mistyped key before any lookup', async () => {
    const { cache, lookups, register } = setUp();
    const key = generateApiKey(false);
    register(key, null);
    const typo = `${key.slice(0, 10)}${key[10] === 'x' ? 'y' : 'x'}${key.slice(11)}`;
    for (const wrong of [typo, 'rt_live_short', `${key}x`, key.replace('rt_live_', 'rt_prod_')]) {
      expect(await cache.resolve(wrong, context)).toBeUndefined();
    }
    expect(lookups).toEqual([]);
  });

  it('answers a known key from memory after its first lookup', async () => {
    const { cache, lookups, register } = setUp();
    const key = generateApiKey(true);
    const view = register(key, null);
    expect(await cache.resolve(key, context)).toEqual(view);
    expect(await cache.resolve(key, context)).toEqual(view);
    expect(lookups).toEqual([hashApiKey(key)]);
  });

  it('stops accepting a key at the exact end of its validity, with no lookup', async () => {
    const { clock, cache, lookups, register } = setUp();
    const key = generateApiKey(false);
    const view = register(key, new Date(START.getTime() + 1500));
    expect(await cache.resolve(key, context)).toEqual(view);
    clock.advance(1499);
    expect(await cache.resolve(key, context)).toEqual(view);
    clock.advance(1);
    expect(await cache.resolve(key, context)).toBeUndefined();
    expect(lookups).toHaveLength(1);
  });

  it('remembers an unknown key for a while, so a flood of it costs one lookup', async () => {
    const { clock, cache, lookups } = setUp();
    const unknown = generateApiKey(false);
    for (let attempt = 0; attempt < 100; attempt++) {
      expect(await cache.resolve(unknown, context)).toBeUndefined();
    }
    expect(lookups).toHaveLength(1);
    clock.advance(UNKNOWN_API_KEY_TTL_MS - 1);
    await cache.resolve(unknown, context);
    expect(lookups).toHaveLength(1);
    clock.advance(1);
    await cache.resolve(unknown, context);
    expect(lookups).toHaveLength(2);
  });

  it('looks a known key up again after the TTL, the safety net for a lost notice', async () => {
    const { clock, cache, lookups, register } = setUp();
    const key = generateApiKey(false);
    register(key, null);
    await cache.resolve(key, context);
    clock.advance(59_999);
    await cache.resolve(key, context);
    expect(lookups).toHaveLength(1);
    clock.advance(1);
    await cache.resolve(key, context);
    expect(lookups).toHaveLength(2);
  });
});
