/**
 * The floors of the API-key benchmark, in a process of their own as the services are: a bare
 * Fastify server answering the benchmarked path (FLOOR_PATH) with fixed bytes (the gateway's real
 * answer, captured by the bench), and a NATS responder answering the same bytes on
 * `bench.floor.echo`. No logging, no validation, no framework beyond Fastify itself.
 *
 * Started by api-key-auth.bench.ts with PORT, NATS_URL, FLOOR_PATH and FLOOR_BODY; prints "ready" when both
 * listen, stops on SIGTERM.
 */
import type { Msg } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import Fastify from 'fastify';

const FLOOR_SUBJECT = 'bench.floor.echo';
const FLOOR_READY = 'ready';

async function main() {
  const body = process.env.FLOOR_BODY ?? '{}';
  const bytes = new TextEncoder().encode(body);
  const server = Fastify({ logger: false });
  server.get(process.env.FLOOR_PATH ?? '/v1/organizations/current', (_request, reply) => {
    void reply.type('application/json; charset=utf-8').send(body);
  });
  await server.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });

  const nats = await connect({ servers: process.env.NATS_URL, name: 'bench-floor' });
  nats.subscribe(FLOOR_SUBJECT, {
    callback: (_error: Error | null, message: Msg) => message.respond(bytes),
  });
  await nats.flush();

  process.once('SIGTERM', () => {
    void Promise.all([server.close(), nats.drain()]).then(() => process.exit(0));
  });
  process.stdout.write(`${FLOOR_READY}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
