import type { ServiceReply } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import { from, type Observable } from 'rxjs';
import { z } from 'zod';

/**
 * Replies larger than one NATS message (the server's max_payload, 1 MB by default, refuses them):
 * the handler returns `inChunks(reply)`, an observable of pieces of the reply's JSON, which Nest
 * sends to the request's reply inbox one message each, in order, the last marked disposed;
 * `ServiceClient.requestInChunks` puts them back together. Staying in Nest's reply stream keeps
 * what every handler has (payload validation, request context, error bodies, the request's log
 * line, graceful shutdown) for these subjects too.
 */
export interface ReplyChunk {
  /** 0-based; `count` is the same in every chunk of a reply */
  index: number;
  count: number;
  text: string;
}

/**
 * Characters of reply JSON per chunk. Nest escapes the piece again in its message, at most 3 bytes
 * per character (an escaped quote or backslash takes 2, a character outside ASCII up to 3 in
 * UTF-8), so a chunk's message stays under 1 MiB.
 */
export const REPLY_CHUNK_CHARACTERS = 256 * 1024;

/** The most a client puts together by default: a broken responder cannot exhaust it. */
export const MAX_ASSEMBLED_REPLY_BYTES = 64 * 1024 * 1024;

/** The reply, serialised once, as the chunks to send in order. */
export function inChunks<Data>(
  reply: ServiceReply<Data>,
  chunkCharacters = REPLY_CHUNK_CHARACTERS,
): Observable<ReplyChunk> {
  const json = JSON.stringify(reply);
  const count = Math.max(1, Math.ceil(json.length / chunkCharacters));
  return from(
    Array.from({ length: count }, (_, index) => ({
      index,
      count,
      text: json.slice(index * chunkCharacters, (index + 1) * chunkCharacters),
    })),
  );
}

const replyChunkSchema = z.object({
  index: z.number().int().min(0),
  count: z.number().int().min(1),
  text: z.string(),
});

const incomplete = (message: string) =>
  new ServiceError(
    'unavailable',
    'reply_incomplete',
    `The service's reply was incomplete: ${message}`,
  );

/**
 * Puts a chunked reply back together as its messages arrive. Core NATS delivers one publisher's
 * messages in order or not at all, so a chunk out of turn means the one expected was lost.
 */
export class ReplyAssembly {
  private readonly texts: string[] = [];
  private count: number | null = null;
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  add(message: unknown): this {
    const parsed = replyChunkSchema.safeParse(message);
    if (!parsed.success) throw incomplete('a message was not a reply chunk');
    const { index, count, text } = parsed.data;
    if (this.count !== null && count !== this.count) {
      throw incomplete(`chunk ${index} counts ${count} chunks, the first counted ${this.count}`);
    }
    this.count = count;
    if (index >= count) throw incomplete(`chunk ${index} is beyond the ${count} counted`);
    if (index !== this.texts.length) {
      throw incomplete(`chunk ${this.texts.length} of ${count} is missing (got ${index} next)`);
    }
    this.bytes += Buffer.byteLength(text);
    if (this.bytes > this.maxBytes) {
      throw new ServiceError(
        'unavailable',
        'reply_too_large',
        `The service's reply is larger than ${this.maxBytes} bytes`,
      );
    }
    this.texts.push(text);
    return this;
  }

  /** The reply once the last chunk is in; the reply stream ended, so what is missing is lost. */
  reply(): unknown {
    if (this.count === null) throw incomplete('no chunk arrived');
    if (this.texts.length < this.count) {
      throw incomplete(
        `chunks ${this.texts.length} to ${this.count - 1} of ${this.count} are missing`,
      );
    }
    try {
      return JSON.parse(this.texts.join(''));
    } catch {
      throw incomplete('the chunks do not make up JSON');
    }
  }
}
