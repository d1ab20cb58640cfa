import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { organizationStreamName, type OrganizationEvent } from '@orgplane/contracts';
import { EVENT_STORE } from '@orgplane/event-sourcing';
import {
  StreamNotFoundError,
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
} from '@orgplane/event-store';
import { combinedProjection, ProjectionRunner, type Projection } from '@orgplane/projections';
import { DataSource } from 'typeorm';
import { RESOURCES_CONFIG, type ResourcesConfig } from '../../resources.config';

/** The checkpoint key of the service's reactions, which HeadCatchUp waits on. */
export const REACTIONS_PROJECTION = 'resources_reactions';

/**
 * What the service creates of its own accord when another service's event says so (the default
 * project of a new organization, the Personal workspace of a new member): one checkpointed
 * subscription to `$all` for every feature's reaction, so that they hold one connection of the
 * read-model pool between them, and one active instance across processes.
 *
 * Each feature adds its part (a projection whose reducers append through a decider, writing
 * nothing in the runner's transaction) while the application initializes. One event per
 * transaction: the runner's transaction has then written nothing while a part appends, so it
 * holds back no reader of the event store (ADR 0003). A part appends outside that transaction, so
 * a crash can replay an event whose consequences already happened: deciding again must then
 * record nothing.
 *
 * Kept out of the read models, whose read-your-writes wait does not wait on it; HeadCatchUp does.
 */
@Injectable()
export class Reactions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Reactions.name);
  private readonly parts: Projection[] = [];
  private runner: ProjectionRunner | null = null;

  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    private readonly dataSource: DataSource,
    @Inject(RESOURCES_CONFIG) private readonly config: ResourcesConfig,
  ) {}

  /** From a feature's `onModuleInit`: the runner starts with every part once the app is up. */
  add(part: Projection): void {
    if (this.runner) throw new Error(`Reaction ${part.name} added after the reactions started`);
    this.parts.push(part);
  }

  onApplicationBootstrap(): void {
    this.runner = new ProjectionRunner(
      this.store,
      this.dataSource,
      combinedProjection(REACTIONS_PROJECTION, this.parts),
      { schema: this.config.READ_MODEL_SCHEMA, batchSize: 1, logger: this.logger },
    );
    this.runner.start();
  }

  /**
   * Before any module's shutdown hook: the event store and the DataSource close in theirs, and a
   * part may be appending.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
  }

  /**
   * An organization deleted since `trigger` was recorded gets nothing new: replaying the reactions
   * from the start of `$all` (a new read-model schema) must not create projects and workspaces for
   * organizations long gone.
   */
  async organizationDeleted(organizationId: string): Promise<boolean> {
    try {
      const events = await this.store.readStream(organizationStreamName(organizationId));
      const deleted: OrganizationEvent['type'] = 'OrganizationDeleted';
      return events.some((event) => event.type === deleted);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return true;
      throw error;
    }
  }
}

/**
 * The metadata of an event a reaction appends: the reaction as actor, the trace ids of `trigger`
 * (the event being folded), which is also the causation.
 */
export function reactionMetadata(
  trigger: RecordedEvent,
  organizationId: string,
  reaction: string,
): EventMetadata {
  return {
    orgId: organizationId,
    actor: { type: 'system', id: reaction },
    requestId: trigger.metadata.requestId,
    correlationId: trigger.metadata.correlationId,
    causationId: trigger.id,
  };
}
