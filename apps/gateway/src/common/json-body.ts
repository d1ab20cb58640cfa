import type { FastifyInstance } from 'fastify';
import { ServiceError } from '@orgplane/util';

/**
 * The API speaks JSON only: a body of any other type is a 415, and malformed JSON is a 400
 * `invalid_json` (Fastify's own parser, so `__proto__` / `constructor` keys are refused too).
 * Bodies over the configured limit are a 413 before they are read in full.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    parseJson(request, body.toString(), (error, value) =>
      error
        ? done(new ServiceError('validation', 'invalid_json', error.message))
        : done(null, value),
    ),
  );
}
