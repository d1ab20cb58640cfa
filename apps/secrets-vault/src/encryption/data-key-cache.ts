import type { KeyObject } from 'node:crypto';

export interface DataKeyCacheOptions {
  ttlMs: number;
  maxEntries: number;
}

/**
 * Unwrapped data keys for a short while, so a burst of reveals costs one unwrap (a KMS round trip
 * with a cloud provider), not one each. Only ever consulted once the key store has shown that
 * the organization's data key still exists: a destroyed key is never used from here, on any
 * instance, even before its entry expires.
 */
export class DataKeyCache {
  /** in insertion order, so the first entry is the oldest */
  private readonly entries = new Map<string, { key: KeyObject; expiresAt: number }>();

  constructor(private readonly options: DataKeyCacheOptions) {}

  get(organizationId: string): KeyObject | undefined {
    const entry = this.entries.get(organizationId);
    if (entry && entry.expiresAt > Date.now()) return entry.key;
    this.entries.delete(organizationId);
    return undefined;
  }

  set(organizationId: string, key: KeyObject): void {
    this.entries.delete(organizationId);
    if (this.entries.size >= this.options.maxEntries) {
      const [oldest] = this.entries.keys();
      this.entries.delete(oldest);
    }
    this.entries.set(organizationId, { key, expiresAt: Date.now() + this.options.ttlMs });
  }

  delete(organizationId: string): void {
    this.entries.delete(organizationId);
  }
}
