import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import type { Stack } from './stack';

/** Every row of every table of the stack's schemas (event store, read models, key store), as JSON. */
export async function everyRow(stack: Stack): Promise<string> {
  const client = new Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_schema = ANY($1)`,
      [stack.schemas],
    );
    if (tables.length <= stack.schemas.length) {
      throw new Error(
        `Too few tables in ${stack.schemas.join(', ')}: is the stack's schema list right?`,
      );
    }
    // one query at a time: a client runs them in turn anyway, and pg 9 refuses overlapping ones
    const dumps: string[] = [];
    for (const { schema, name } of tables) {
      const { rows } = await client.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM "${schema}"."${name}" t`,
      );
      dumps.push(...rows.map(({ row }) => row));
    }
    return dumps.join('\n');
  } finally {
    await client.end();
  }
}

export interface CapturedMessage {
  subject: string;
  /** the inbox its answer goes to, for a request */
  reply: string | undefined;
  /** headers and payload, as text */
  text: string;
}

/**
 * Every message published on the stack's NATS while it runs, requests, replies (inboxes),
 * broadcasts and JetStream traffic alike: a `>` subscription sees them all.
 */
export class NatsCapture {
  private constructor(
    private readonly connection: NatsConnection,
    private readonly subscription: Subscription,
    /** in the order they arrived; filled as they do */
    readonly messages: CapturedMessage[],
  ) {}

  static async start(stack: Stack): Promise<NatsCapture> {
    const connection = await connect({ servers: stack.nats.url, name: 'test-capture' });
    const messages: CapturedMessage[] = [];
    const subscription = connection.subscribe('>', {
      callback: (error: Error | null, message: Msg) => {
        if (error) throw error;
        const headers = message.headers
          ? [...message.headers.keys()].map((key) => `${key}: ${message.headers!.values(key)}`)
          : [];
        messages.push({
          subject: message.subject,
          reply: message.reply,
          text: [...headers, message.string()].join('\n'),
        });
      },
    });
    return new NatsCapture(connection, subscription, messages);
  }

  /** What was published so far has reached the capture once this resolves. */
  async settle(): Promise<void> {
    await this.connection.flush();
  }

  /** The replies to the requests published on `subjects`, identified by their inboxes. */
  repliesTo(subjects: readonly string[]): CapturedMessage[] {
    const inboxes = new Set(
      this.messages
        .filter((message) => subjects.includes(message.subject) && message.reply)
        .map((message) => message.reply),
    );
    return this.messages.filter((message) => inboxes.has(message.subject));
  }

  async stop(): Promise<void> {
    this.subscription.unsubscribe();
    await this.connection.close();
  }
}
