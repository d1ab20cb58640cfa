import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ServiceError } from '@orgplane/util';
import type { FastifyReply } from 'fastify';
import type { GatewayRequest } from '../../common/http-request-context';
import { requestPrincipal } from '../principal';
import type { FixedWindowRateLimiter } from './fixed-window-rate-limiter';

export const RATE_LIMIT_HEADERS = {
  limit: 'X-RateLimit-Limit',
  remaining: 'X-RateLimit-Remaining',
  /** unix seconds, as the RunTools API reference has it */
  reset: 'X-RateLimit-Reset',
  retryAfter: 'Retry-After',
} as const;

export interface RateLimits {
  /** per user or API key */
  perCallerPerMinute: number;
  /** per client address, for requests without credentials */
  perAnonymousAddressPerMinute: number;
}

/**
 * Limits requests per principal (SPEC: per API key and per user; anonymous routes per client
 * address). Runs after the AuthorizationGuard, which names the caller. The headers go on the reply
 * here, so they are on every response of the request, also an error raised later; a refused
 * request is a 429 `rate_limited` with `Retry-After`.
 *
 * Counts live in this gateway instance: the effective limit is the configured one times the
 * number of instances the balancer spreads a client over. That is enough for what the limit is
 * for (stopping a runaway client before it swamps the services) and costs no round trip; a shared
 * counter would put NATS on the path of every request.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: FixedWindowRateLimiter,
    private readonly limits: RateLimits,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<GatewayRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const limit = request.caller
      ? this.limits.perCallerPerMinute
      : this.limits.perAnonymousAddressPerMinute;
    const decision = this.limiter.take(requestPrincipal(request), limit);
    reply.header(RATE_LIMIT_HEADERS.limit, decision.limit);
    reply.header(RATE_LIMIT_HEADERS.remaining, decision.remaining);
    reply.header(RATE_LIMIT_HEADERS.reset, decision.resetAt);
    if (!decision.allowed) {
      reply.header(RATE_LIMIT_HEADERS.retryAfter, decision.retryAfterSeconds);
      throw new ServiceError(
        'rate_limited',
        'rate_limited',
        `Too many requests; retry after ${decision.retryAfterSeconds} seconds`,
      );
    }
    return true;
  }
}
