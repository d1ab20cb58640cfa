/**
 * The HTTP side of the gateway benchmarks' load: a minimal HTTP/1.1 client on raw keep-alive
 * sockets (one request at a time per connection, no pipelining), whose senders the closed- and
 * open-loop drivers of @orgplane/testing drive. Node's `http` client or `fetch` would cost the shared two
 * cores several times more per request than the servers under test spend on parsing; this one
 * writes a prebuilt request and reads only the status line and the body's length.
 */
import net from 'node:net';
import type { Send } from '@orgplane/testing';

export interface HttpTarget {
  port: number;
  path: string;
  headers: Record<string, string>;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/;
const CHUNKED = /\r\ntransfer-encoding: *chunked/;

/** One keep-alive connection; a request it cannot complete resolves with status 0. */
export class HttpConnection {
  private socket: net.Socket | null = null;
  private buffer: Buffer | null = null;
  private bodyStart = -1;
  private expectedLength = -1;
  private chunked = false;
  private status = 0;
  private waiter: ((status: number) => void) | null = null;
  private readonly request: Buffer;

  constructor(private readonly target: HttpTarget) {
    const headers = Object.entries({ host: `127.0.0.1:${target.port}`, ...target.headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    this.request = Buffer.from(`GET ${target.path} HTTP/1.1\r\n${headers}\r\n`, 'latin1');
  }

  async open(): Promise<void> {
    const socket = net.connect({ port: this.target.port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      this.finish(0);
    });
    this.socket = socket;
  }

  /** Sends the request; resolves with the response's status once all of its body has arrived. */
  async send(): Promise<number> {
    if (!this.socket) await this.open();
    return new Promise<number>((resolve) => {
      this.waiter = resolve;
      this.buffer = null;
      this.bodyStart = -1;
      this.socket!.write(this.request);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private received(chunk: Buffer): void {
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const buffer = this.buffer;
    if (this.bodyStart < 0) {
      const end = buffer.indexOf(HEADER_END);
      if (end < 0) return;
      const head = buffer.toString('latin1', 0, end).toLowerCase();
      this.status = Number(head.slice(9, 12));
      this.bodyStart = end + HEADER_END.length;
      this.chunked = CHUNKED.test(head);
      this.expectedLength = Number(CONTENT_LENGTH.exec(head)?.[1] ?? (this.chunked ? -1 : 0));
    }
    const complete = this.chunked
      ? buffer.length - this.bodyStart >= CHUNKED_END.length &&
        buffer.subarray(buffer.length - CHUNKED_END.length).equals(CHUNKED_END)
      : buffer.length - this.bodyStart >= this.expectedLength;
    if (complete) this.finish(this.status);
  }

  private finish(status: number): void {
    const waiter = this.waiter;
    this.waiter = null;
    this.buffer = null;
    waiter?.(status);
  }
}

export async function openConnections(
  target: HttpTarget,
  count: number,
): Promise<HttpConnection[]> {
  const connections = Array.from({ length: count }, () => new HttpConnection(target));
  await Promise.all(connections.map((connection) => connection.open()));
  return connections;
}

export function httpSenders(connections: readonly HttpConnection[]): Send[] {
  return connections.map((connection) => async () => (await connection.send()) === 200);
}
