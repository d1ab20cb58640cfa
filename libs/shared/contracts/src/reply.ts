import { z } from 'zod';
import type { ErrorKind, ServiceErrorBody } from '@orgplane/util';
import type { PageInfo } from './common/page';

/**
 * What a service answers on success, for every `<service>.v1.*` request subject (the `v1` in the
 * subject versions this envelope too). `position` is set by commands: the `<commit>:<prepare>` of
 * the last event they appended, for the caller to hand back as a consistency position.
 */
export interface ServiceReply<Data> {
  data: Data;
  position?: string;
  /** set by list queries, whose `data` is the page's items */
  page?: PageInfo;
  /**
   * A note for the client that the gateway puts next to `data` at the envelope's top level (the
   * create-key reply's "store this key now", as the reference shows it).
   */
  message?: string;
}

const errorKinds = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unprocessable',
  'rate_limited',
  'unavailable',
] as const satisfies readonly ErrorKind[];

/**
 * A failed request travels as a ServiceErrorBody in the transport's error slot. The receiving side
 * validates it: anything else (a crash, a foreign responder) is treated as the service being
 * unavailable.
 */
export const serviceErrorBodySchema = z.object({
  kind: z.enum(errorKinds),
  code: z.string().min(1),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
}) satisfies z.ZodType<ServiceErrorBody>;

export const HEALTH_REPLY_STATUS = 'ok';

/** Every service answers `<service>.v1.health`; `instanceId` tells the instances of a queue group apart. */
export interface HealthReply {
  service: string;
  instanceId: string;
  status: typeof HEALTH_REPLY_STATUS;
}
