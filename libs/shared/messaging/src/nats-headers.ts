import * as natsTransport from '@nats-io/transport-node';

/** The part of NATS message headers we use (`MsgHdrs`). */
export interface NatsHeaders {
  /** '' when absent */
  get(name: string): string;
  set(name: string, value: string): void;
}

/**
 * `@nats-io/transport-node` re-exports `headers()` at run time, but its type declarations reach it
 * through the `@nats-io/nats-core/internal` subpath export, which TypeScript's node10 resolution
 * (ADR 0001) cannot follow; hence the declared shape.
 */
export const createNatsHeaders = (natsTransport as unknown as { headers: () => NatsHeaders })
  .headers;
