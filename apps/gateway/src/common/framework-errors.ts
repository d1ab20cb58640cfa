import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_HEADERS } from './http-request-context';
import type { ErrorEnvelope } from './http-error.filter';

/**
 * What Fastify refuses before routing (a URL it cannot decode, a path segment longer than the
 * router takes) never reaches Nest's filters; this answers it in the API's error envelope too.
 */
export function refuseMalformedUrl(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const body: ErrorEnvelope = {
    error: {
      code: tooLong ? 'uri_too_long' : 'bad_url',
      message: tooLong ? 'A path segment is too long' : 'The URL cannot be decoded',
      requestId: request.id,
    },
  };
  void reply
    .status(tooLong ? 414 : 400)
    .header(HTTP_HEADERS.requestId, request.id)
    .send(body);
}
