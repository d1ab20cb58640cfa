import { z } from 'zod';

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Environment variables every process reads (gateway and services). */
export const baseConfigShape = {
  /** `production` refuses development shortcuts (development sign-in, generated signing keys) */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NATS_URL: z
    .string()
    .regex(/^(nats|tls):\/\/\S+$/, 'Expected nats://host:port')
    .default('nats://127.0.0.1:4222'),
  /** how long requests in flight get to finish on shutdown */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
};

/**
 * Environment variables of a service that keeps event streams and read models. `service` names
 * the default read-model schema.
 */
export function eventSourcedServiceConfigShape(service: string) {
  return {
    ...baseConfigShape,
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'Expected postgres://user@host:port/database')
      .default('postgres://postgres@127.0.0.1:5432/orgplane'),
    /** connections of this process's read-model pool (projection runners hold one each) */
    DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(50).default(5),
    /** `esdb://…` to keep events in EventStoreDB instead of PostgreSQL */
    EVENTSTORE_URL: z
      .string()
      .regex(/^(esdb|kurrentdb)(\+discover)?:\/\/\S+$/)
      .optional(),
    /** PostgreSQL schema of the event store (PostgreSQL adapter only) */
    EVENTSTORE_SCHEMA: z.string().regex(SQL_IDENTIFIER, 'Expected a lowercase SQL name').optional(),
    /** PostgreSQL schema of this service's read models */
    READ_MODEL_SCHEMA: z
      .string()
      .regex(SQL_IDENTIFIER, 'Expected a lowercase SQL name')
      .default(service.replace(/-/g, '_')),
    /** how long a write or a query waits for the read models to reach a position */
    CONSISTENCY_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2000),
  };
}

/** The settings every event-sourced service shares, whatever else its configuration holds. */
export type EventSourcedServiceConfig = z.infer<
  z.ZodObject<ReturnType<typeof eventSourcedServiceConfigShape>>
>;
