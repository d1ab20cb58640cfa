import { estimatedFoldBytes, type OrganizationFold } from '../domain/organization-fold';

/**
 * Folds kept in memory up to an estimated number of bytes, the least recently used dropped first.
 * Bytes rather than a count: one organization's fold can be a thousand times another's. The fold
 * used last is always kept, however large: dropping it would make its next use rebuild it.
 */
export class FoldCache {
  /** least recently used first */
  private readonly entries = new Map<string, { fold: OrganizationFold; bytes: number }>();
  private totalBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): OrganizationFold | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.fold;
  }

  /** Keeps `fold` (again: a fold folded further in place is measured anew) as the latest used. */
  set(key: string, fold: OrganizationFold): void {
    this.delete(key);
    const bytes = estimatedFoldBytes(fold);
    this.entries.set(key, { fold, bytes });
    this.totalBytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.totalBytes <= this.maxBytes || oldest === key) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  /** the estimate of what the kept folds take */
  get bytes(): number {
    return this.totalBytes;
  }
}
