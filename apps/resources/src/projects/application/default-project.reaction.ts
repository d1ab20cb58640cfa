import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  defaultProjectIdOf,
  organizationEvents,
  projectStreamName,
  resourceEvents,
  type OrganizationEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { handleCommand } from '@orgplane/event-store';
import { defineProjection } from '@orgplane/projections';
import { systemClock } from '@orgplane/util';
import { projectDecider } from '@orgplane/resources-domain';
import { reactionMetadata, Reactions } from '../../common/reactions';

/** The actor of the events the reaction appends. */
const DEFAULT_PROJECT_ACTOR = 'resources.default-project-reaction';

type OrganizationCreated = Extract<
  RecordedEventOf<OrganizationEvent>,
  { type: 'OrganizationCreated' }
>;

/**
 * Every organization gets its default project when it is created, under the id the
 * create-organization reply already named (defaultProjectIdOf). Runs with the service's other
 * reactions (Reactions): deciding again on a project that exists records nothing.
 */
@Injectable()
export class DefaultProjectReaction implements OnModuleInit {
  private readonly logger = new Logger(DefaultProjectReaction.name);

  constructor(private readonly reactions: Reactions) {}

  onModuleInit(): void {
    this.reactions.add(
      defineProjection<OrganizationCreated>({
        name: 'default_projects',
        setup: async () => undefined,
        reset: async () => undefined,
        reducers: { OrganizationCreated: (event) => this.created(event) },
      }),
    );
  }

  private async created(event: OrganizationCreated): Promise<void> {
    const { organizationId } = organizationEvents.decode(event).data;
    if (await this.reactions.organizationDeleted(organizationId)) return;
    const projectId = defaultProjectIdOf(organizationId);
    const { position } = await handleCommand({
      store: this.reactions.store,
      streamName: projectStreamName(projectId),
      decider: projectDecider,
      command: {
        type: 'CreateDefaultProject',
        data: { projectId, organizationId },
        metadata: { now: systemClock.now() },
      },
      codec: resourceEvents,
      metadata: reactionMetadata(event, organizationId, DEFAULT_PROJECT_ACTOR),
    });
    if (position) this.logger.log(`Created the default project of organization ${organizationId}`);
  }
}
