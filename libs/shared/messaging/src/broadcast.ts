import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { z } from 'zod';
import type { Logger } from './logger';

export interface BroadcastOptions {
  natsUrl: string;
  /** names the NATS connection */
  name: string;
  logger: Logger;
}

/**
 * Fan-out notifications over core NATS: every subscriber gets every message (no queue group), at
 * most once. A subscriber that relies on them to keep a cache fresh also listens to `onReconnect`:
 * while disconnected it may have missed some, so it must forget what it cached.
 */
export class NatsBroadcast {
  private readonly reconnectListeners: (() => void)[] = [];

  private constructor(
    /** the connection, for other NATS clients of the same process (JetStream, KV) */
    readonly connection: NatsConnection,
    private readonly logger: Logger,
  ) {
    void this.watchStatus();
  }

  static async connect({ natsUrl, name, logger }: BroadcastOptions): Promise<NatsBroadcast> {
    const connection = await connect({
      servers: natsUrl,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    return new NatsBroadcast(connection, logger);
  }

  publish(subject: string, message: unknown): void {
    this.connection.publish(subject, JSON.stringify(message));
  }

  /** Messages that do not match `schema` are logged and dropped. */
  subscribe<Schema extends z.ZodType>(
    subject: string,
    schema: Schema,
    handle: (message: z.infer<Schema>) => void,
  ): void {
    this.connection.subscribe(subject, {
      callback: (error, message) => {
        if (error) {
          this.logger.warn({ subject, reason: error.message }, 'Broadcast subscription failed');
          return;
        }
        const parsed = schema.safeParse(safeJson(message.string()));
        if (!parsed.success) {
          this.logger.warn({ subject }, 'Dropped a malformed broadcast');
          return;
        }
        handle(parsed.data);
      },
    });
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  /** Drains when the server is there to drain to; closes outright when it is not. */
  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.drain().catch(() => this.connection.close());
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'reconnect') {
        this.logger.info('NATS reconnected; broadcast listeners reset');
        for (const listener of this.reconnectListeners) listener();
      }
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
