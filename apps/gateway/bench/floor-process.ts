import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@orgplane/testing';

/**
 * Starts floor-server.ts in a process of its own: a bare Fastify server answering `floorPath`
 * with `body`, and a NATS echo responder, the floors the gateway benches compare against.
 */
export async function startFloorServer(
  natsUrl: string,
  floorPath: string,
  body: string,
): Promise<{ port: number; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(__dirname, 'floor-server.ts')],
    {
      cwd: path.resolve(__dirname, '../../..'),
      env: {
        ...process.env,
        PORT: String(port),
        NATS_URL: natsUrl,
        FLOOR_PATH: floorPath,
        FLOOR_BODY: body,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the floor server exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
