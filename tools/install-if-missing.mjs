#!/usr/bin/env node
// Runs before `npm start` and `npm test`: on a fresh clone nothing is installed yet, so install
// from the lockfile first. Where node_modules is already in place this does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('Installing dependencies from the lockfile (npm ci)...');
  const { status } = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  process.exit(status ?? 1);
}
