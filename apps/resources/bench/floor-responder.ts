/**
 * The NATS floor of the authorization benchmark, in a process of its own as the service is: a
 * plain @nats-io/transport-node subscription (queue group, as the service's) answering every
 * request with the fixed bytes of an authorization answer. No parsing, no validation, no
 * framework: what a request/reply costs on this machine with nothing else in it.
 *
 * Started by authorize.bench.ts with NATS_URL and FLOOR_SUBJECT; prints "ready" once subscribed,
 * stops on SIGTERM.
 */
import type { Msg } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

const ANSWER =
  '{"response":{"data":{"allowed":true,"reason":"owner","role":"member"}},"isDisposed":true,' +
  '"id":"00000000-0000-4000-8000-000000000000"}';

async function main() {
  const bytes = new TextEncoder().encode(ANSWER);
  const nats = await connect({ servers: process.env.NATS_URL, name: 'bench-floor' });
  nats.subscribe(process.env.FLOOR_SUBJECT ?? 'bench.floor.authorize', {
    queue: 'bench-floor',
    callback: (_error: Error | null, message: Msg) => message.respond(bytes),
  });
  await nats.flush();
  process.once('SIGTERM', () => {
    void nats.drain().then(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
