import { Client } from 'pg';
import { freePort, testDatabaseUrl } from '@orgplane/testing';
import { isDatabaseOutage } from './database-outage';

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the work to fail');
}

describe('isDatabaseOutage, on the errors node-pg really raises', () => {
  it('is true when nothing listens where the database should be', async () => {
    const port = await freePort();
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres' });
    expect(isDatabaseOutage(await errorOf(() => client.connect()))).toBe(true);
  });

  it('is true when the server ends the session (a restart or failover)', async () => {
    const victim = new Client({ connectionString: testDatabaseUrl() });
    const killer = new Client({ connectionString: testDatabaseUrl() });
    await Promise.all([victim.connect(), killer.connect()]);
    victim.on('error', () => undefined);
    try {
      const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const sleeping = errorOf(() => victim.query('SELECT pg_sleep(5)'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      expect(isDatabaseOutage(await sleeping)).toBe(true);
    } finally {
      await killer.end();
      await victim.end().catch(() => undefined);
    }
  });

  it('is false for a bug: bad SQL, a constraint, anything that is not an error', async () => {
    const client = new Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    try {
      expect(isDatabaseOutage(await errorOf(() => client.query('SELEC 1')))).toBe(false);
      expect(isDatabaseOutage(await errorOf(() => client.query('SELECT 1/0')))).toBe(false);
      expect(isDatabaseOutage(new TypeError('undefined is not a function'))).toBe(false);
      expect(isDatabaseOutage('Connection terminated')).toBe(false);
    } finally {
      await client.end();
    }
  });
});
