import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningNatsServer {
  url: string;
  port: number;
  /** stops the server and starts a fresh one on the same port: its clients see it restart */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a private `nats-server` (from the PATH) with JetStream on a free port, so a test can stop
 * it, or hang a subject, without touching the machine's shared server. JetStream keeps its files in
 * a folder of its own, which survives `restart()` as a real server's would.
 */
export async function startNatsServer(): Promise<RunningNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'orgplane-nats-'));
  let server = await spawnNatsServer(port, storeDir);
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async restart() {
      await server.stop();
      server = await spawnNatsServer(port, storeDir);
    },
    async stop() {
      await server.stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** One `nats-server` process, once it accepts connections on `port`. */
async function spawnNatsServer(port: number, storeDir: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn(
    'nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`nats-server did not start on port ${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
