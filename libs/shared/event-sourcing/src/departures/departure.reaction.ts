import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Departure } from '@orgplane/contracts';
import type { Actor, EventMetadata, EventStore, RecordedEvent } from '@orgplane/event-store';
import {
  ProjectionRunner,
  type Projection,
  type ProjectionRunnerOptions,
} from '@orgplane/projections';
import type { DataSource } from 'typeorm';
import type { DepartureReaction, OwnedItem } from './departure.projection';

/**
 * Runs a departure projection: a checkpointed subscription to `$all`, so it resumes after a
 * restart where it stopped, and one active instance across processes. Kept out of the service's
 * read models: read-your-writes does not wait on it. One event per transaction, so that the
 * runner's transaction has written nothing while the reaction appends (departureProjection).
 */
export function departureRunner(
  store: EventStore,
  dataSource: DataSource,
  projection: Projection,
  options: Omit<ProjectionRunnerOptions, 'batchSize'>,
): ProjectionRunner {
  return new ProjectionRunner(store, dataSource, projection, { ...options, batchSize: 1 });
}

/**
 * A service's departure reaction as a Nest provider: its runner (departureRunner) starts with the
 * application and stops before the event store and the DataSource close. Subclasses say how to
 * stop an item, and pass the projection that calls them.
 */
export abstract class DepartureReactionProvider<Kind extends string>
  implements DepartureReaction<Kind>, OnApplicationBootstrap, OnApplicationShutdown
{
  protected readonly logger: Logger;
  private readonly runner: ProjectionRunner;

  /** `schema`: the read models' schema, where the projection keeps its tables and checkpoint */
  protected constructor(
    store: EventStore,
    dataSource: DataSource,
    schema: string,
    projectionOf: (reaction: DepartureReaction<Kind>) => Projection,
  ) {
    this.logger = new Logger(new.target.name);
    this.runner = departureRunner(store, dataSource, projectionOf(this), {
      schema,
      logger: this.logger,
    });
  }

  abstract stop(item: OwnedItem<Kind>, departure: Departure, trigger: RecordedEvent): Promise<void>;

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

/**
 * The metadata of an event a departure causes: the reaction as actor, the trace ids of `trigger`
 * (the event being folded), and the membership event as causation.
 */
export function departureMetadata(
  departure: Departure,
  trigger: RecordedEvent,
  actor: Actor,
): EventMetadata {
  return {
    orgId: departure.organizationId,
    actor,
    requestId: trigger.metadata.requestId,
    correlationId: trigger.metadata.correlationId,
    causationId: departure.cause.eventId,
  };
}
