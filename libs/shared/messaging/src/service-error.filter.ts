import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';
import { isDatabaseOutage } from '@orgplane/event-store';
import { ServiceError, type ServiceErrorBody } from '@orgplane/util';
import { throwError, type Observable } from 'rxjs';
import type { Logger } from './logger';

/**
 * Every failure leaves a service as a ServiceErrorBody, the shape the gateway maps to HTTP. A
 * ServiceError travels as is; a database outage is told apart, since a retry may succeed; anything
 * else is a bug: it is logged in full, and the caller learns only that the service could not answer.
 */
@Catch()
export class ServiceErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    return throwError(() => this.toBody(exception, host));
  }

  private toBody(exception: unknown, host: ArgumentsHost): ServiceErrorBody {
    if (exception instanceof ServiceError) return exception.toBody();
    const subject = host.switchToRpc().getContext<NatsContext>().getSubject();
    if (isDatabaseOutage(exception)) {
      this.logger.warn({ err: exception, subject }, 'Request failed: the database is unreachable');
      return {
        kind: 'unavailable',
        code: 'database_unavailable',
        message: 'The service cannot reach its database; try again shortly',
      };
    }
    this.logger.error({ err: exception, subject }, 'Request failed unexpectedly');
    return {
      kind: 'unavailable',
      code: 'internal_error',
      message: 'The service failed to handle the request',
    };
  }
}
