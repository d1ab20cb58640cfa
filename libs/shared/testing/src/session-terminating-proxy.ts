import { createServer, connect as connectTcp, type AddressInfo } from 'node:net';
import { Client } from 'pg';

export interface SessionTerminatingProxy {
  /** `databaseUrl` with the proxy's host and port */
  url: string;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real PostgreSQL whose sessions the server ends as soon as they are
 * ready: the proxy holds back the server's first ReadyForQuery, has the server terminate the
 * session (`pg_terminate_backend`, the backend pid from BackendKeyData) and passes ReadyForQuery
 * and the server's own FATAL message on in one packet. The client library then handles both in
 * one go, before code that awaited a pool's checkout can attach a listener: what a restart that
 * meets a new connection can do, made to happen every time.
 */
export async function startSessionTerminatingProxy(
  databaseUrl: string,
): Promise<SessionTerminatingProxy> {
  const target = new URL(databaseUrl);
  const terminator = new Client({ connectionString: databaseUrl });
  await terminator.connect();
  const server = createServer((client) => {
    const upstream = connectTcp(Number(target.port || 5432), target.hostname);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    let received = Buffer.alloc(0);
    let heldBack: Buffer | null = null;
    upstream.on('data', (chunk: Buffer) => {
      if (heldBack) {
        client.end(Buffer.concat([heldBack, chunk]));
        return;
      }
      received = Buffer.concat([received, chunk]);
      let pid: number | null = null;
      for (const message of backendMessages(received)) {
        if (message.type === 'K') pid = message.body.readInt32BE(0);
        if (message.type === 'Z' && pid !== null) {
          heldBack = received.subarray(0, message.end);
          void terminator.query('SELECT pg_terminate_backend($1)', [pid]);
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await terminator.end();
    },
  };
}

/** PostgreSQL's backend messages in `bytes`: a type byte, then a length that counts itself. */
function* backendMessages(bytes: Buffer): Generator<{ type: string; body: Buffer; end: number }> {
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const length = bytes.readInt32BE(offset + 1);
    if (offset + 1 + length > bytes.length) return;
    yield {
      type: String.fromCharCode(bytes[offset]),
      body: bytes.subarray(offset + 5, offset + 1 + length),
      end: offset + 1 + length,
    };
    offset += 1 + length;
  }
}
