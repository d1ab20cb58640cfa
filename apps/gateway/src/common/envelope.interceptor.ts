import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { PageInfo, ServiceReply } from '@orgplane/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { HTTP_HEADERS } from './http-request-context';

export interface Envelope<Data> {
  data: Data;
  /** lists add `hasMore` and `nextCursor` */
  meta: { requestId: string } & Partial<PageInfo>;
}

/**
 * Controllers return a service's reply; clients get the API envelope. A write's position goes out
 * as `X-Consistency-Position` (see HTTP_HEADERS); a list's page info goes into `meta`.
 */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<Envelope<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map(({ data, position, page }: ServiceReply<unknown>) => {
        if (position) reply.header(HTTP_HEADERS.consistencyPosition, position);
        return { data, meta: { requestId: request.id, ...page } };
      }),
    );
  }
}
