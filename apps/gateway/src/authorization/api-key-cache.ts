import {
  apiKeysChangedMessageSchema,
  hashApiKey,
  isWellFormedApiKey,
  KEYS_SUBJECTS,
  type ApiKeyAuthView,
} from '@orgplane/contracts';
import type { NatsBroadcast, RequestContext, ServiceClient } from '@orgplane/messaging';
import { ServiceError, systemClock, type Clock } from '@orgplane/util';
import { NoticedCache } from './noticed-cache';

/**
 * How long "no such key" is kept: a flood of one bad key costs a lookup per this. A key created
 * meanwhile cannot be the one remembered as unknown: keys are random.
 */
export const UNKNOWN_API_KEY_TTL_MS = 30_000;

/** The key whose hash this is, or null when the keys service does not accept it. */
export type ApiKeyLookup = (
  keyHash: string,
  context: RequestContext,
) => Promise<ApiKeyAuthView | null>;

export interface ApiKeyCacheOptions {
  /** safety net for a change notice that never came (a keys instance crashed mid-write) */
  ttlMs: number;
  /** keys kept at most, known and unknown; the least recently looked up go first */
  maxEntries: number;
  clock?: Clock;
}

/** `keys.v1.resolveApiKey`: its 404 means the keys service does not accept the key. */
export function lookupOverNats(services: ServiceClient): ApiKeyLookup {
  return async (keyHash, context) => {
    try {
      return (
        await services.request<ApiKeyAuthView>(KEYS_SUBJECTS.resolveApiKey, { keyHash }, context)
      ).data;
    } catch (error) {
      if (error instanceof ServiceError && error.kind === 'not_found') return null;
      throw error;
    }
  };
}

/**
 * API keys as the keys service knows them, by hash, kept in memory so authenticating a known key
 * costs no round trip. The keys service broadcasts `apiKeysChanged` after every write that changes
 * what a secret may do (revocation, rotation, new scopes); every gateway instance forgets those
 * hashes, so a revocation holds everywhere within milliseconds. A NATS reconnect empties the cache;
 * the TTL bounds how long a missed notice can matter. Expiry and the end of a rotation's grace
 * period need no notice: `validUntil` is checked on every request.
 */
export class ApiKeyCache {
  private readonly cache: NoticedCache<ApiKeyAuthView | null>;
  private readonly clock: Clock;

  constructor(lookup: ApiKeyLookup, options: ApiKeyCacheOptions) {
    this.clock = options.clock ?? systemClock;
    this.cache = new NoticedCache(lookup, {
      ttlMs: (key) => (key ? options.ttlMs : Math.min(options.ttlMs, UNKNOWN_API_KEY_TTL_MS)),
      maxEntries: options.maxEntries,
      clock: this.clock,
    });
  }

  listen(broadcast: NatsBroadcast): void {
    broadcast.subscribe(KEYS_SUBJECTS.apiKeysChanged, apiKeysChangedMessageSchema, (notice) => {
      for (const keyHash of notice.keyHashes) this.cache.forget(keyHash);
    });
    broadcast.onReconnect(() => this.cache.clear());
  }

  /**
   * What the key may do if it authenticates now; undefined when it does not. A malformed or
   * mistyped key (its checksum does not match) is refused before any lookup.
   */
  async resolve(key: string, context: RequestContext): Promise<ApiKeyAuthView | undefined> {
    if (!isWellFormedApiKey(key)) return undefined;
    const found = await this.cache.get(hashApiKey(key), context);
    if (!found) return undefined;
    const stillValid =
      found.validUntil === null || Date.parse(found.validUntil) > this.clock.now().getTime();
    return stillValid ? found : undefined;
  }
}
