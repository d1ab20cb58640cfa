import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  organizationEvents,
  personalWorkspaceIdOf,
  resourceEvents,
  workspaceStreamName,
  type OrganizationEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { handleCommand } from '@orgplane/event-store';
import { defineProjection } from '@orgplane/projections';
import { systemClock } from '@orgplane/util';
import { workspaceDecider } from '@orgplane/resources-domain';
import { reactionMetadata, Reactions } from '../../common/reactions';

/** The actor of the events the reaction appends. */
const PERSONAL_WORKSPACE_ACTOR = 'resources.personal-workspace-reaction';

type MemberJoined = Extract<RecordedEventOf<OrganizationEvent>, { type: 'MemberJoined' }>;

/**
 * Every member gets a Personal workspace in each organization they join, under the id the
 * create-organization reply already named for the creator (personalWorkspaceIdOf), whose
 * MemberJoined comes with OrganizationCreated. Runs with the service's other reactions
 * (Reactions): a member who rejoins finds theirs there, and nothing is recorded.
 */
@Injectable()
export class PersonalWorkspaceReaction implements OnModuleInit {
  private readonly logger = new Logger(PersonalWorkspaceReaction.name);

  constructor(private readonly reactions: Reactions) {}

  onModuleInit(): void {
    this.reactions.add(
      defineProjection<MemberJoined>({
        name: 'personal_workspaces',
        setup: async () => undefined,
        reset: async () => undefined,
        reducers: { MemberJoined: (event) => this.joined(event) },
      }),
    );
  }

  private async joined(event: MemberJoined): Promise<void> {
    const { organizationId, userId } = organizationEvents.decode(event).data;
    if (await this.reactions.organizationDeleted(organizationId)) return;
    const workspaceId = personalWorkspaceIdOf(organizationId, userId);
    const { position } = await handleCommand({
      store: this.reactions.store,
      streamName: workspaceStreamName(workspaceId),
      decider: workspaceDecider,
      command: {
        type: 'CreatePersonalWorkspace',
        data: { workspaceId, organizationId, userId },
        metadata: { now: systemClock.now() },
      },
      codec: resourceEvents,
      metadata: reactionMetadata(event, organizationId, PERSONAL_WORKSPACE_ACTOR),
    });
    if (position) {
      this.logger.log(`Created the Personal workspace of ${userId} in ${organizationId}`);
    }
  }
}
