import type { FastifyInstance } from 'fastify';
import type { Logger } from '@orgplane/messaging';
import { HTTP_HEADERS } from './http-request-context';

/**
 * Gives every request its id in the `X-Request-Id` response header as soon as it arrives (so
 * errors and 404s carry it too), and writes one log line per response. The path is logged
 * without its query string, which may carry secrets.
 */
export function traceRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(HTTP_HEADERS.requestId, request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    logger.info(
      {
        requestId: request.id,
        method: request.method,
        path: request.url.split('?')[0],
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime),
      },
      'HTTP request',
    );
    done();
  });
}
