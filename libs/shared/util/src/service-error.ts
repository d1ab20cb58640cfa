/**
 * The errors a service may answer with. The kind decides the HTTP status at the gateway; the code
 * is what clients branch on (`not_found`, `last_admin`, `WORKSPACE_IN_USE`, ...).
 */
export type ErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable';

export const HTTP_STATUS_OF: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** Per-field problems of a validation error, keyed by dotted path (`members.0.email`). */
export type FieldErrors = Record<string, string[]>;

export interface ServiceErrorBody {
  kind: ErrorKind;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toBody(): ServiceErrorBody {
    return {
      kind: this.kind,
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromBody(body: ServiceErrorBody): ServiceError {
    return new ServiceError(body.kind, body.code, body.message, body.details);
  }

  static validation(fields: FieldErrors, message = 'The request is not valid'): ServiceError {
    return new ServiceError('validation', 'validation_failed', message, { fields });
  }

  static notFound(what: string): ServiceError {
    return new ServiceError('not_found', 'not_found', `${what} not found`);
  }

  static conflict(code: string, message: string): ServiceError {
    return new ServiceError('conflict', code, message);
  }

  static forbidden(message = 'You are not allowed to do this'): ServiceError {
    return new ServiceError('forbidden', 'forbidden', message);
  }

  static unavailable(message: string): ServiceError {
    return new ServiceError('unavailable', 'unavailable', message);
  }
}
