import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';
import { currentRequestContext } from './request-context';

export type { Logger } from 'pino';

/**
 * Field names whose values never reach a log line, wherever they appear (top level or one level
 * down, e.g. `payload.value`, `headers.authorization`). Extend it with every new secret-ish field.
 */
export const REDACTED_FIELDS = [
  'password',
  'secret',
  'value',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'privateKey',
  'clientSecret',
  'authorization',
  'cookie',
  'set-cookie',
  'sealedSession',
  'x-api-key',
];

const redactPaths = REDACTED_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const nested = key.startsWith('[') ? `*${key}` : `*.${key}`;
  return [key, nested];
});

/**
 * One JSON line per entry on stdout. Inside a request, each line carries the request's
 * `requestId` and `correlationId` (from the request context), so one grep finds everything a
 * request did in every service.
 */
export function createLogger(
  service: string,
  level = 'info',
  /** default: stdout */
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: redactPaths, censor: '[redacted]' },
      mixin() {
        const context = currentRequestContext();
        return context
          ? { requestId: context.requestId, correlationId: context.correlationId }
          : {};
      },
    },
    destination,
  );
}

/** Routes NestJS's own logging (start-up, routes, transport status) through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest passes `(message, ...details, context)`; for errors the details may hold a stack. */
  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    const context = typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'string') {
      const stack = params.find((param): param is string => typeof param === 'string');
      this.logger[level]({ context, ...(stack ? { stack } : {}) }, message);
    } else {
      this.logger[level]({ context, detail: message });
    }
  }
}
