import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Logger } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import type { FastifyReply } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Envelope } from '../../common/envelope.interceptor';
import { HTTP_HEADERS, type GatewayRequest } from '../../common/http-request-context';
import { ROUTE_METADATA, type RouteMetadata } from '../../routes/route.decorator';
import {
  IDEMPOTENCY_HEADERS,
  idempotentRequestOf,
  type IdempotentRequest,
} from './idempotent-request';
import type { IdempotencyStore } from './idempotency.store';

/** What a replay sends again besides the body: where the write landed, and what it created. */
const REPLAYED_HEADERS = [HTTP_HEADERS.consistencyPosition, 'location'];

/**
 * `Idempotency-Key` on POST (SPEC): the first request with a key runs; a repeat with the same body
 * within 24 hours gets the first response again (`Idempotency-Replayed: true`) and runs nothing; a
 * repeat with another body (or for another organization) is a 422 `idempotency_key_reused`, and
 * one that arrives while the first is still running a 409 `idempotency_in_progress`. A first
 * request that fails frees the key, so a retry runs. Without the store there is no guarantee, so
 * such a POST is a 503 and runs nothing.
 *
 * Registered before the EnvelopeInterceptor (so outside it): it keeps and replays the body exactly
 * as the client got it. Its `meta.requestId` stays the first request's, the one the audit trail
 * names; `X-Request-Id` is the repeat's own. The status is not kept: Nest answers with the route's
 * success status, and only that route's successes are kept.
 *
 * Routes whose reply holds a secret shown once (`secretInReply` in the catalog: a new API key)
 * are not kept, so the secret does not sit in NATS for 24 hours: the claim still ends, so a retry
 * runs nothing, but it gets a 409 `idempotency_replay_unavailable` naming what the first request
 * created (`details.id`) instead of the first response.
 */
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly logger: Logger,
    /** see idempotencyFingerprintKeyOf */
    private readonly fingerprintKey: string,
    private readonly reflector = new Reflector(),
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<GatewayRequest>();
    const route = this.reflector.get<RouteMetadata | undefined>(
      ROUTE_METADATA,
      context.getHandler(),
    );
    const idempotent = idempotentRequestOf(
      request,
      route?.access.kind === 'organization',
      this.fingerprintKey,
    );
    if (!idempotent) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return from(this.handleOnce(idempotent, route?.secretInReply === true, request, reply, next));
  }

  private async handleOnce(
    idempotent: IdempotentRequest,
    secretInReply: boolean,
    request: GatewayRequest,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    const claim = await this.store
      .claim(idempotent.recordKey, idempotent.fingerprint)
      .catch((error: unknown) => {
        this.logger.error({ requestId: request.id, err: error }, 'Idempotency store unavailable');
        throw new ServiceError(
          'unavailable',
          'idempotency_unavailable',
          'The Idempotency-Key cannot be honoured right now; nothing was done, retry later',
        );
      });
    switch (claim.outcome) {
      case 'completed':
        reply.headers({ ...claim.response.headers, [IDEMPOTENCY_HEADERS.replayed]: 'true' });
        return claim.response.body;
      case 'withheld':
        throw new ServiceError(
          'conflict',
          'idempotency_replay_unavailable',
          'A request with this Idempotency-Key already succeeded; its response held a secret that is shown only once, so it cannot be given again (`details.id` names what it created)',
          { id: claim.resourceId },
        );
      case 'in_flight':
        throw ServiceError.conflict(
          'idempotency_in_progress',
          'A request with this Idempotency-Key is still running; retry shortly',
        );
      case 'reused':
        throw new ServiceError(
          'unprocessable',
          'idempotency_key_reused',
          'This Idempotency-Key was already used with another request body or organization',
        );
      case 'claimed':
        return this.runClaimed(idempotent, secretInReply, claim.revision, request, reply, next);
    }
  }

  /**
   * Failures reach here as exceptions (the error filter renders them), so whatever the handler
   * returns is a success to keep. Keeping or freeing the key failing does not change the answer:
   * the write has happened, or has not; the claim then lapses after the in-flight timeout.
   */
  private async runClaimed(
    { recordKey, fingerprint }: IdempotentRequest,
    secretInReply: boolean,
    revision: number,
    request: GatewayRequest,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle());
    } catch (error) {
      await this.store.release(recordKey, revision).catch((releaseError: unknown) => {
        this.logger.warn({ requestId: request.id, err: releaseError }, 'Idempotency-Key not freed');
      });
      throw error;
    }
    const kept = secretInReply
      ? this.store.withhold(recordKey, revision, fingerprint, createdIdOf(body))
      : this.store.complete(recordKey, revision, fingerprint, {
          body,
          headers: replayedHeadersOf(reply),
        });
    await kept.catch((storeError: unknown) => {
      this.logger.error(
        { requestId: request.id, err: storeError },
        'Idempotent response not kept; a retry after the in-flight timeout runs again',
      );
    });
    return body;
  }
}

/** What a reply holding a secret created (a new key) or renewed (a rotated one). */
function createdIdOf(body: unknown): string {
  return (body as Envelope<{ id: string }>).data.id;
}

function replayedHeadersOf(reply: FastifyReply): Record<string, string> {
  return Object.fromEntries(
    REPLAYED_HEADERS.flatMap((name) => {
      const value = reply.getHeader(name);
      return typeof value === 'string' ? [[name, value]] : [];
    }),
  );
}
