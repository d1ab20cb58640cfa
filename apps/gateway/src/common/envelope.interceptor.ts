import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { PageInfo, ServiceReply } from '@orgplane/contracts';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { NOT_ENVELOPED } from '../conventions/not-enveloped.decorator';
import { HTTP_HEADERS } from './http-request-context';

export interface Envelope<Data> {
  data: Data;
  /** what the client must know besides the data (a created key's "store it now") */
  message?: string;
  /** lists add `hasMore` and `nextCursor` */
  meta: { requestId: string } & Partial<PageInfo>;
}

/**
 * Controllers return a service's reply; clients get the API envelope. A write's position goes out
 * as `X-Consistency-Position` (see HTTP_HEADERS); a list's page info goes into `meta`; a reply's
 * `message` next to `data`. Routes marked `@NotEnveloped()` (the OpenAPI document) answer their
 * value as it is.
 */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean | undefined>(NOT_ENVELOPED, context.getHandler())) {
      return next.handle();
    }
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map(({ data, position, page, message }: ServiceReply<unknown>): Envelope<unknown> => {
        if (position) reply.header(HTTP_HEADERS.consistencyPosition, position);
        return {
          data,
          ...(message !== undefined ? { message } : {}),
          meta: { requestId: request.id, ...page },
        };
      }),
    );
  }
}
