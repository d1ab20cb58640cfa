import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError } from '@orgplane/util';
import { ROUTES } from '../routes/route-catalog';

/**
 * Routes that also get the body exactly as sent (`rawBody`): a signature covers those bytes, and a
 * parsed body serialized again need not be them.
 */
const RAW_BODY_ROUTES: ReadonlySet<string> = new Set([ROUTES['webhooks.workos'].path]);

export type RawBodyRequest = FastifyRequest & { rawBody?: string };

/**
 * The API speaks JSON only: a body of any other type is a 415, and malformed JSON is a 400
 * `invalid_json` (Fastify's own parser, so `__proto__` / `constructor` keys are refused too).
 * Bodies over the configured limit are a 413 before they are read in full. Text holding U+0000 is
 * refused here for every endpoint: PostgreSQL can store it neither in text nor in jsonb. The
 * routes in RAW_BODY_ROUTES keep the text they parsed as `request.rawBody`.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (RAW_BODY_ROUTES.has(request.routeOptions.url ?? '')) {
      (request as RawBodyRequest).rawBody = body.toString();
    }
    parseJson(request, body.toString(), (error, value) =>
      error
        ? done(new ServiceError('validation', 'invalid_json', error.message))
        : containsNul(value)
          ? done(
              new ServiceError('validation', 'invalid_text', 'Text must not contain U+0000 (NUL)'),
            )
          : done(null, value),
    );
  });
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(
      ([key, entry]) => key.includes('\u0000') || containsNul(entry),
    );
  }
  return false;
}
