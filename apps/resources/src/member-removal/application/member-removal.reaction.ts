import { Inject, Injectable } from '@nestjs/common';
import {
  organizationEvents,
  resourceEvents,
  resourceStreamName,
  type Departure,
} from '@orgplane/contracts';
import {
  departureMetadata,
  DepartureReactionProvider,
  EVENT_STORE,
  type OwnedItem,
} from '@orgplane/event-sourcing';
import { handleCommand, type EventStore, type RecordedEvent } from '@orgplane/event-store';
import { systemClock } from '@orgplane/util';
import { DataSource } from 'typeorm';
import { resourceDecider } from '../../registry';
import { RESOURCES_CONFIG, type ResourcesConfig } from '../../resources.config';
import {
  memberRemovalProjection,
  membershipHeir,
} from '../infrastructure/member-removal.projection';

/** The actor of the events the reaction appends. */
const MEMBER_REMOVAL_ACTOR = { type: 'system', id: 'resources.member-removal-reaction' } as const;

/**
 * The registry's member-removal reaction (member-removal.projection.ts): it resumes after a
 * restart where it stopped, one active instance across processes. A removed member's private
 * resources go to the Admin who removed them; when nobody did (the member left, or the directory
 * removed them), or for a resource registered after its owner's departure, to the organization's
 * longest-standing current Admin: someone must be able to manage what nobody else may see, and
 * that is the Admin an organization has relied on longest.
 */
@Injectable()
export class MemberRemovalReaction extends DepartureReactionProvider<'resource'> {
  constructor(
    @Inject(RESOURCES_CONFIG) private readonly config: ResourcesConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
  ) {
    super(store, dataSource, config.READ_MODEL_SCHEMA, memberRemovalProjection);
  }

  async stop(
    resource: OwnedItem<'resource'>,
    departure: Departure,
    trigger: RecordedEvent,
  ): Promise<void> {
    const { organizationId, userId, cause } = departure;
    // An organization's deletion drops its resources from the read models: nobody inherits them.
    if (userId === null) return;
    const heir =
      this.remover(trigger) ??
      (await membershipHeir(
        this.dataSource.manager,
        this.config.READ_MODEL_SCHEMA,
        organizationId,
        userId,
      ));
    if (!heir) {
      this.logger.warn(`No Admin of ${organizationId} to hand resource ${resource.id} to`);
      return;
    }
    const { position } = await handleCommand({
      store: this.store,
      streamName: resourceStreamName(resource.id),
      decider: resourceDecider,
      command: {
        type: 'HandOverResource',
        data: { fromUserId: userId, toUserId: heir, cause },
        metadata: { now: systemClock.now() },
      },
      codec: resourceEvents,
      metadata: departureMetadata(departure, trigger, MEMBER_REMOVAL_ACTOR),
    });
    if (position) this.logger.log(`Handed resource ${resource.id} to ${heir} (${cause.reason})`);
  }

  /** The Admin who removed the member, when the event being folded is that removal. */
  private remover(trigger: RecordedEvent): string | null {
    if (trigger.type !== 'MemberRemoved') return null;
    const removal = organizationEvents.decode(trigger);
    return removal.type === 'MemberRemoved' ? removal.data.removedBy : null;
  }
}
