import { Injectable } from '@nestjs/common';
import {
  type Organization,
  type OrganizationCommand,
  organizationDecider,
  usersWhoseAccessChanged,
} from '@orgplane/membership-domain';
import { AccessChanges } from '../../common/access-changes';
import {
  organizationEvents,
  organizationStreamName,
  type OrganizationEvent,
} from '@orgplane/contracts';
import type { Actor } from '@orgplane/event-store';
import { type RequestContext } from '@orgplane/messaging';
import { toEventMetadata, CommandRunner, type CommandOutcome } from '@orgplane/event-sourcing';

/**
 * How many times a command is decided again after another writer appended to the organization
 * first. Each retry re-reads the stream and re-checks every rule (the last Admin above all), so
 * retrying is always safe; the bound decides when a burst of writers to one organization starts
 * getting 409 `concurrent_update` instead of a real answer. Such bursts happen: the directory
 * deprovisioning a team sends one sync per member at once. Writers to one stream succeed one per
 * round, so this lets 50 of them all through.
 */
export const ORGANIZATION_COMMAND_RETRIES = 50;

/** Runs commands on an organization's stream (see CommandRunner for what happens around them). */
@Injectable()
export class OrganizationCommands {
  constructor(
    private readonly commands: CommandRunner,
    private readonly accessChanges: AccessChanges,
  ) {}

  /** `actor`: the caller unless given (the directory acts with no caller) */
  execute(
    organizationId: string,
    command: OrganizationCommand,
    context: RequestContext,
    actor?: Actor,
  ): Promise<CommandOutcome<Organization, OrganizationEvent>> {
    return this.commands.run({
      streamName: organizationStreamName(organizationId),
      decider: organizationDecider,
      command,
      codec: organizationEvents,
      metadata: toEventMetadata(context, organizationId, actor),
      maxRetries: ORGANIZATION_COMMAND_RETRIES,
      afterVisible: ({ events, state, position }) =>
        this.accessChanges.announce(usersWhoseAccessChanged(events, state), position),
    });
  }
}
