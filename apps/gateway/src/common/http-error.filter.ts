import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@orgplane/messaging';
import { HTTP_STATUS_OF, ServiceError } from '@orgplane/util';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string; details?: Record<string, unknown> };
}

interface HttpError {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Codes for what HTTP itself refuses before a controller runs; any other 4xx is `bad_request`. */
const CODE_OF_STATUS: Record<number, string> = {
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * Every error leaves the gateway in the API's error envelope, with its request id. Services'
 * ServiceErrors keep their code and get their kind's status; what Fastify refuses (malformed JSON,
 * a body over the limit, a wrong content type, an unknown route) keeps its 4xx (malformed JSON is a
 * ServiceError of its own, see json-body.ts). Only a bug here is
 * a 500, and its details stay in the log.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, code, message, details } = this.toHttpError(exception, request);
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    const body: ErrorEnvelope = {
      error: { code, message, requestId: request.id, ...(details ? { details } : {}) },
    };
    void reply.status(status).send(body);
  }

  private toHttpError(exception: unknown, request: FastifyRequest): HttpError {
    if (exception instanceof ServiceError) {
      return { status: HTTP_STATUS_OF[exception.kind], ...exception.toBody() };
    }
    const status = clientErrorStatus(exception);
    if (status) {
      return {
        status,
        code: CODE_OF_STATUS[status] ?? 'bad_request',
        message: exception instanceof Error ? exception.message : 'The request is not valid',
      };
    }
    this.logger.error({ requestId: request.id, err: exception }, 'Unhandled error');
    return { status: 500, code: 'internal_error', message: 'Something went wrong on our side' };
  }
}

/** The 4xx status of an HttpException or of an error Fastify raised while reading the request. */
function clientErrorStatus(exception: unknown): number | undefined {
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}
