import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Caller } from '@orgplane/contracts';
import { parsePosition } from '@orgplane/event-store';
import {
  acceptClientIp,
  acceptTraceId,
  acceptUserAgent,
  POSITION_FORMAT_PROBLEM,
  type RequestContext,
} from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import type { FastifyRequest } from 'fastify';

/** HTTP headers the gateway reads besides authentication. */
export const HTTP_HEADERS = {
  requestId: 'x-request-id',
  correlationId: 'x-correlation-id',
  /**
   * Read-your-writes across instances and clients. Every 2xx write answers with
   * `X-Consistency-Position: <commit>:<prepare>`, the position of what it wrote; a read that sends
   * it back waits (bounded by the service's CONSISTENCY_WAIT_MS) until the read model has caught
   * up with it, or answers 503 `consistency_timeout`, safe to retry.
   */
  consistencyPosition: 'x-consistency-position',
  userAgent: 'user-agent',
} as const;

/** The request as the gateway authenticated it; `caller` is set by SessionGuard. */
export type GatewayRequest = FastifyRequest & { caller?: Caller };

/**
 * The context the gateway sends along with each NATS request. The request id is always the
 * gateway's own (`req_…`, also `request.id` and in every log line); a client's `X-Correlation-Id`
 * is kept when it looks like an id, so a client can tie its own calls together. The client's
 * address is Fastify's `request.ip`: the peer's, or behind the proxies TRUST_PROXY names, the
 * address they forwarded for.
 */
export function requestContextOf(request: GatewayRequest): RequestContext {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const positionHeader = header(HTTP_HEADERS.consistencyPosition);
  const minPosition = positionHeader === undefined ? undefined : parsePosition(positionHeader);
  if (minPosition === null) {
    throw ServiceError.validation({ 'X-Consistency-Position': [POSITION_FORMAT_PROBLEM] });
  }
  return {
    requestId: request.id,
    correlationId: acceptTraceId(header(HTTP_HEADERS.correlationId)) ?? request.id,
    causationId: request.id,
    caller: request.caller,
    minPosition,
    clientIp: acceptClientIp(request.ip),
    userAgent: acceptUserAgent(header(HTTP_HEADERS.userAgent)),
  };
}

/** `@HttpRequestContext()`: the RequestContext of the HTTP request being handled. */
export const HttpRequestContext = createParamDecorator(
  (_: unknown, context: ExecutionContext): RequestContext =>
    requestContextOf(context.switchToHttp().getRequest<GatewayRequest>()),
);
