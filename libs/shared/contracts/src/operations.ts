import { z } from 'zod';

/**
 * Subjects for operators, not for clients. Every instance of a service subscribes outside its
 * queue group, because only the instance holding a projection's lock can act on it.
 *
 * Protection: in production the NATS accounts let only the operators' user publish on `ops.>`;
 * each service's user may subscribe to `ops.v1.<its service>.>` and answer on `_INBOX.>`, and the
 * gateway's user may not publish there at all. The gateway never maps a route to these subjects:
 * its route catalog names only the services' `<service>.v1.*` subjects.
 */
export const OPERATIONS_SUBJECTS = {
  /** a RebuildReadModelsRequest; each instance answers with several ReadModelRebuildMessages */
  rebuildReadModels: (service: string) => `ops.v1.${service}.rebuildReadModels`,
} as const;

/**
 * The services that keep read models, so that `all` can tell a service that did not answer from
 * one that does not exist. Their projections are not listed anywhere: each instance reports its own.
 */
export const READ_MODEL_SERVICES = [
  'identity',
  'membership',
  'keys',
  'secrets-vault',
  'resources',
  'audit',
] as const;

export const rebuildReadModelsRequestSchema = z.strictObject({
  /** the projections to rebuild; absent: every one of the service */
  projections: z.array(z.string().min(1).max(200)).max(100).optional(),
});
export type RebuildReadModelsRequest = z.infer<typeof rebuildReadModelsRequestSchema>;

const instanceShape = {
  service: z.string(),
  /** the `instanceId` the instance logs */
  instanceId: z.string(),
  host: z.string(),
  pid: z.number().int(),
};

/**
 * `active`: this instance holds the projection's lock and rebuilds it (when asked to); `standby`:
 * another instance holds it, or none can right now.
 */
export const PROJECTION_ROLES = ['active', 'standby'] as const;
export type ProjectionRole = (typeof PROJECTION_ROLES)[number];

/**
 * What an instance answers, in order: `accepted` at once, naming every projection it runs, then
 * one `rebuilt` or `failed` for each requested projection it is active for.
 */
export const readModelRebuildMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('accepted'),
    ...instanceShape,
    /** every projection of the service, requested or not */
    projections: z.array(
      z.object({
        name: z.string(),
        role: z.enum(PROJECTION_ROLES),
        /** the runner's status (`running`, `failing`, `standby`, ...) */
        state: z.string(),
        tables: z.array(z.string()),
        /** this instance rebuilds it now */
        rebuilding: z.boolean(),
      }),
    ),
  }),
  z.object({
    kind: z.literal('rebuilt'),
    ...instanceShape,
    projection: z.string(),
    eventsReplayed: z.number().int(),
    durationMs: z.number(),
    /** `<commit>:<prepare>`; null when the event store holds nothing the projection reads */
    checkpoint: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('failed'),
    ...instanceShape,
    projection: z.string(),
    /** the runner's reason; nothing of the events' content */
    reason: z.string(),
  }),
]);
export type ReadModelRebuildMessage = z.infer<typeof readModelRebuildMessageSchema>;
