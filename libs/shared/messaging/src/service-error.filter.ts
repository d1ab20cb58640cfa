import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';
import { ServiceError, type ServiceErrorBody } from '@orgplane/util';
import { throwError, type Observable } from 'rxjs';
import type { Logger } from './logger';

/**
 * Every failure leaves a service as a ServiceErrorBody, the shape the gateway maps to HTTP. A
 * ServiceError travels as is; anything else is a bug or an outage here: it is logged in full, and
 * the caller learns only that the service could not answer.
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
    this.logger.error({ err: exception, subject }, 'Request failed unexpectedly');
    return {
      kind: 'unavailable',
      code: 'internal_error',
      message: 'The service failed to handle the request',
    };
  }
}
