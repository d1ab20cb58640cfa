import { hostname } from 'node:os';
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import {
  OPERATIONS_SUBJECTS,
  rebuildReadModelsRequestSchema,
  type ReadModelRebuildMessage,
} from '@orgplane/contracts';
import { formatPosition } from '@orgplane/event-store';
import type { ProjectionRunner } from './projection-runner';
import { ProjectionRunners } from './projections.module';

export interface ServiceInstance {
  service: string;
  instanceId: string;
}

/**
 * Lets an operator rebuild the instance's read models (`npm run read-models:rebuild`): answers
 * `ops.v1.<service>.rebuildReadModels` on the service's connection, outside its queue group,
 * since only the instance holding a projection's lock can rebuild it. Each instance says at once
 * which projections it runs and which of them it is active for, then reports each rebuild as it
 * commits. Who may publish there is NATS's business (see OPERATIONS_SUBJECTS): in production only
 * the operators' user, and never the gateway. A service without read models does not subscribe.
 */
export function serveReadModelOperations(
  app: INestApplicationContext,
  connection: NatsConnection,
  instance: ServiceInstance,
): Subscription | null {
  const runners = projectionRunnersOf(app);
  if (!runners) return null;
  const logger = new Logger('ReadModelOperations');
  const identity = { ...instance, host: hostname(), pid: process.pid };
  return connection.subscribe(OPERATIONS_SUBJECTS.rebuildReadModels(instance.service), {
    callback: (error, message) => {
      if (error) {
        logger.warn(`Operations subscription failed: ${error.message}`);
        return;
      }
      void rebuild(runners.all, message, identity, logger);
    },
  });
}

async function rebuild(
  runners: readonly ProjectionRunner[],
  message: Msg,
  identity: ServiceInstance & { host: string; pid: number },
  logger: Logger,
): Promise<void> {
  let body: unknown;
  try {
    body = message.json();
  } catch {
    body = undefined;
  }
  const request = rebuildReadModelsRequestSchema.safeParse(body);
  if (!request.success) {
    logger.warn('Dropped a malformed read-model rebuild request');
    return;
  }
  const { projections: requested } = request.data;
  const answer = (reply: ReadModelRebuildMessage) => message.respond(JSON.stringify(reply));
  const rebuilding = runners.filter(
    (runner) => runner.active && (!requested || requested.includes(runner.projection.name)),
  );
  answer({
    kind: 'accepted',
    ...identity,
    projections: runners.map((runner) => ({
      name: runner.projection.name,
      role: runner.active ? 'active' : 'standby',
      state: runner.status.state,
      tables: [...runner.projection.tables],
      rebuilding: rebuilding.includes(runner),
    })),
  });
  logger.log(
    `Rebuilding read models on request: ${rebuilding.map((runner) => runner.projection.name).join(', ') || 'none active here'}`,
  );
  // In parallel: each rebuild holds back the event store's readers until it commits (see
  // ProjectionRunner.rebuild), so they had better hold them back at the same time.
  await Promise.all(
    rebuilding.map(async (runner) => {
      const projection = runner.projection.name;
      try {
        const { eventsReplayed, durationMs, checkpoint } = await runner.rebuild();
        answer({
          kind: 'rebuilt',
          ...identity,
          projection,
          eventsReplayed,
          durationMs,
          checkpoint: checkpoint && formatPosition(checkpoint),
        });
      } catch (error) {
        answer({
          kind: 'failed',
          ...identity,
          projection,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }),
  );
}

/** null for an application without read models. */
function projectionRunnersOf(app: INestApplicationContext): ProjectionRunners | null {
  const modules = [...app.get(ModulesContainer).values()];
  return modules.some((module) => module.providers.has(ProjectionRunners))
    ? app.get(ProjectionRunners, { strict: false })
    : null;
}
