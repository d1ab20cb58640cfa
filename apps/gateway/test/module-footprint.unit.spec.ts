import { execFileSync } from 'node:child_process';
import path from 'node:path';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

/** The npm packages a fresh Node process has loaded once it has required the gateway's bootstrap. */
function packagesLoadedByTheGateway(): string[] {
  const script = `
    require('reflect-metadata');
    require('./apps/gateway/src/bootstrap');
    const packages = new Set();
    for (const file of Object.keys(require.cache)) {
      const [, inside] = file.split('/node_modules/').slice(-2);
      if (!inside) continue;
      const parts = inside.split('/');
      packages.add(parts[0].startsWith('@') ? parts[0] + '/' + parts[1] : parts[0]);
    }
    process.stdout.write(JSON.stringify([...packages]));
  `;
  const output = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[];
}

/**
 * The gateway keeps no event streams and no read models: loading TypeORM costs it about 8 MB of
 * idle memory (BENCHMARKS.md, "Idle memory"), and a shared library importing it by the way has
 * happened twice. This catches the third time.
 */
describe('the gateway process', () => {
  it('loads the web and messaging stack, and neither TypeORM nor its Nest module', () => {
    const loaded = packagesLoadedByTheGateway();

    expect(loaded).toEqual(expect.arrayContaining(['fastify', '@nestjs/core', 'zod']));
    expect(loaded).not.toContain('typeorm');
    expect(loaded).not.toContain('@nestjs/typeorm');
  });
});
