import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './nats-server';

const run = promisify(execFile);

/** How long pg_ctl waits for the server to start or stop before it gives up. */
const PG_CTL_TIMEOUT_SECONDS = 30;

export interface PrivatePostgres {
  port: number;
  /** its `postgres` database, as user `postgres` with trust authentication */
  url: string;
  /**
   * A fast shutdown (every session is ended, open transactions roll back) followed by a start on
   * the same port and data: what clients see when an operator restarts the server.
   */
  restart(): Promise<void>;
  /** stops the server and deletes its data directory */
  destroy(): Promise<void>;
}

/**
 * Creates and starts a PostgreSQL cluster of a test's own, in a fresh temporary directory, on a
 * free port of 127.0.0.1 (no Unix socket), so a fault test can restart it while the machine's
 * server stays up. Uses the server binaries `pg_config --bindir` names. PostgreSQL refuses to run
 * as root, so as root the server runs as the `postgres` user, which then owns the directory.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { stdout } = await run('pg_config', ['--bindir']);
  const binDir = stdout.trim();
  const asRoot = process.getuid?.() === 0;
  const pg = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(binDir, program), ...args])
      : run(join(binDir, program), args);

  const directory = await mkdtemp(join(tmpdir(), 'orgplane-postgres-'));
  const dataDirectory = join(directory, 'data');
  const logFile = join(directory, 'server.log');
  const port = await freePort();
  // pg_ctl keeps these options in the data directory, so a restart runs with them again.
  const serverOptions = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=''`;
  // Without -l the server would keep pg_ctl's stdout open, and execFile would wait on it.
  const pgCtl = (...args: string[]) =>
    pg('pg_ctl', [
      '-D',
      dataDirectory,
      '-l',
      logFile,
      '-w',
      '-t',
      `${PG_CTL_TIMEOUT_SECONDS}`,
      ...args,
    ]);
  const withServerLog = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      const log = await readFile(logFile, 'utf8').catch(() => '(no server log)');
      throw new Error(`${what} failed: ${String(error)}\n${log}`);
    }
  };

  try {
    if (asRoot) await run('chown', ['postgres:', directory]);
    await pg('initdb', [
      '-D',
      dataDirectory,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      // a throwaway cluster: its files need not reach the disk before the test starts
      '--no-sync',
    ]);
    await withServerLog('Starting PostgreSQL', () => pgCtl('start', '-o', serverOptions));
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => withServerLog('Restarting PostgreSQL', () => pgCtl('restart', '-m', 'fast')),
    async destroy() {
      await pgCtl('stop', '-m', 'immediate').catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
