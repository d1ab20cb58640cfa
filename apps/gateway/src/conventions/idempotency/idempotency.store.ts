import { jetstream, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Clock } from '@orgplane/util';
import { z } from 'zod';

export const IDEMPOTENCY_BUCKET = 'orgplane_idempotency';
/** SPEC: a POST sent again with its Idempotency-Key gets its first response for 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Claims lost to another writer of the same key before giving up as `in_flight`. */
const MAX_CLAIM_ATTEMPTS = 3;

const storedResponseSchema = z.object({
  body: z.unknown(),
  headers: z.record(z.string(), z.string()),
});
export type StoredResponse = z.infer<typeof storedResponseSchema>;

/** What the bucket holds per key; other gateway instances (maybe other versions) read it too. */
const recordSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('in_flight'), fingerprint: z.string() }),
  z.object({
    state: z.literal('completed'),
    fingerprint: z.string(),
    response: storedResponseSchema,
  }),
  /** completed, but its response held a secret shown once: only the id of what it created is kept */
  z.object({ state: z.literal('withheld'), fingerprint: z.string(), resourceId: z.string() }),
]);
type IdempotencyRecord = z.infer<typeof recordSchema>;

export type Claim =
  /** this request runs; it ends the claim with `complete` or `release` */
  | { outcome: 'claimed'; revision: number }
  | { outcome: 'completed'; response: StoredResponse }
  /** completed; its response is not kept (it held a secret), only what it created */
  | { outcome: 'withheld'; resourceId: string }
  | { outcome: 'in_flight' }
  /** the key was used with another body */
  | { outcome: 'reused' };

export interface IdempotencyStoreOptions {
  /** how long a KV operation may take before it fails (the POST then fails with 503) */
  timeoutMs: number;
  /** a claim older than this was left by an instance that died, and may be taken over */
  inFlightTimeoutMs: number;
  clock: Clock;
}

/**
 * Idempotency records in a NATS JetStream KV bucket shared by every gateway instance. The
 * bucket's max age gives the 24 hours; claims are compare-and-set writes (`create`, `update` at a
 * revision), so of two instances racing for one key exactly one runs the request.
 */
export class IdempotencyStore {
  private constructor(
    private readonly kv: KV,
    private readonly options: IdempotencyStoreOptions,
  ) {}

  /** Opens the bucket, creating it when missing. */
  static async open(
    connection: NatsConnection,
    options: IdempotencyStoreOptions,
  ): Promise<IdempotencyStore> {
    const kvm = new Kvm(jetstream(connection, { timeout: options.timeoutMs }));
    const kv = await kvm.create(IDEMPOTENCY_BUCKET, { ttl: IDEMPOTENCY_TTL_MS, history: 1 });
    return new IdempotencyStore(kv, options);
  }

  async claim(recordKey: string, fingerprint: string): Promise<Claim> {
    const marker = encode({ state: 'in_flight', fingerprint });
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const created = await unlessOvertaken(this.kv.create(recordKey, marker));
      if (created !== undefined) return { outcome: 'claimed', revision: created };

      const entry = await this.kv.get(recordKey);
      if (entry?.operation !== 'PUT') continue; // released in between: claim it afresh
      const record = recordSchema.parse(entry.json());
      if (record.fingerprint !== fingerprint) return { outcome: 'reused' };
      if (record.state === 'completed') return { outcome: 'completed', response: record.response };
      if (record.state === 'withheld')
        return { outcome: 'withheld', resourceId: record.resourceId };
      if (!this.abandoned(entry)) return { outcome: 'in_flight' };

      const takenOver = await unlessOvertaken(this.kv.update(recordKey, marker, entry.revision));
      if (takenOver !== undefined) return { outcome: 'claimed', revision: takenOver };
    }
    // Each attempt lost to another request with this key, which is running it now.
    return { outcome: 'in_flight' };
  }

  /** Keeps the response; a no-op if another instance took the claim over meanwhile. */
  async complete(
    recordKey: string,
    revision: number,
    fingerprint: string,
    response: StoredResponse,
  ): Promise<void> {
    await this.finish(recordKey, revision, { state: 'completed', fingerprint, response });
  }

  /**
   * Ends the claim without keeping a response that holds a secret: a retry still runs nothing,
   * and learns what was created. A no-op if another instance took the claim over meanwhile.
   */
  async withhold(
    recordKey: string,
    revision: number,
    fingerprint: string,
    resourceId: string,
  ): Promise<void> {
    await this.finish(recordKey, revision, { state: 'withheld', fingerprint, resourceId });
  }

  /** Frees the key for a retry; a no-op if another instance took the claim over meanwhile. */
  async release(recordKey: string, revision: number): Promise<void> {
    await unlessOvertaken(this.kv.delete(recordKey, { previousSeq: revision }));
  }

  private async finish(recordKey: string, revision: number, record: IdempotencyRecord) {
    await unlessOvertaken(this.kv.update(recordKey, encode(record), revision));
  }

  /**
   * The server's write time against our clock: a skew of a few seconds does not matter against a
   * bound of about a minute.
   */
  private abandoned(entry: KvEntry): boolean {
    return (
      this.options.clock.now().getTime() - entry.created.getTime() >= this.options.inFlightTimeoutMs
    );
  }
}

function encode(record: IdempotencyRecord): string {
  return JSON.stringify(record);
}

/** The write's result, or `undefined` when the key had moved on (another writer was first). */
async function unlessOvertaken<Result>(write: Promise<Result>): Promise<Result | undefined> {
  try {
    return await write;
  } catch (error) {
    if (
      error instanceof JetStreamApiError &&
      error.code === JetStreamApiCodes.StreamWrongLastSequence
    ) {
      return undefined;
    }
    throw error;
  }
}
