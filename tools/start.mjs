#!/usr/bin/env node
// `npm start`: runs every service and the gateway against the local PostgreSQL and NATS, with no
// configuration needed. Each service is its own process, as in production; output is prefixed
// with the service name. Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';

const services = [
  'identity',
  'membership',
  'resources',
  'secrets-vault',
  'keys',
  'audit',
  'gateway',
];
// what a service logs once it answers on NATS (SERVICE_LISTENING_MESSAGE in @orgplane/messaging)
const listeningMessage = 'Service is listening on NATS';
const listening = new Set();
const port = Number(process.env.PORT ?? 3000);
const children = new Map();
let stopping = false;

function prefixLines(name, stream, sink) {
  let pending = '';
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      if (line.includes(listeningMessage)) listening.add(name);
      sink.write(`${name.padEnd(13)} | ${line}\n`);
    }
  });
}

function startService(name) {
  // compiled by `npm run build`; the same arguments as serviceArguments() in @orgplane/testing
  const args = [
    '--max-semi-space-size=1',
    '-r',
    './tools/dist-resolve.cjs',
    `dist/apps/${name}/src/main.js`,
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(name, child.stdout, process.stdout);
  prefixLines(name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the suite`);
      stopAll(1);
    }
  });
  children.set(name, child);
}

function stopAll(exitCode) {
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const deadline = setTimeout(() => process.exit(exitCode), 5000);
  deadline.unref();
  const check = setInterval(() => {
    if (children.size === 0) {
      clearInterval(check);
      process.exit(exitCode);
    }
  }, 50);
}

function portOpen() {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

for (const name of services) startService(name);

const startedAt = Date.now();
const ready = async () => listening.size === services.length - 1 && (await portOpen());
while (!(await ready())) {
  if (stopping) break;
  if (Date.now() - startedAt > 60_000) {
    const waiting = services.filter((name) => name !== 'gateway' && !listening.has(name));
    console.error(`Not ready within 60 s: ${[...waiting, 'gateway'].join(', ')}`);
    stopAll(1);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
if (!stopping) {
  console.log(
    `\nOrgplane is running: the API listens on http://127.0.0.1:${port}/v1 (Ctrl-C stops it)\n`,
  );
}
