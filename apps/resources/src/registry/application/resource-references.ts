import { Inject, Injectable } from '@nestjs/common';
import {
  defaultProjectIdOf,
  isLiveProjectOf,
  projectStreamName,
  resourceEvents,
  workspaceStreamName,
} from '@orgplane/contracts';
import { EVENT_STORE, readHistory } from '@orgplane/event-sourcing';
import type { EventStore } from '@orgplane/event-store';
import { MembershipClient, type RequestContext } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';

/**
 * What a registration or an update names besides the resource: its project, its workspaces and
 * its owner, checked before the command runs. Projects and workspaces are read from their own
 * streams (the write side does not trust read models that may lag); whether the owner is a member
 * is membership's answer.
 */
@Injectable()
export class ResourceReferences {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly membership: MembershipClient,
  ) {}

  /**
   * A project of the organization, not deleted: else 404 `project_not_found`. The default project
   * always is one, even before the reaction to the organization's creation has created it.
   */
  async requireProject(organizationId: string, projectId: string): Promise<void> {
    if (projectId === defaultProjectIdOf(organizationId)) return;
    const history = await readHistory(this.store, projectStreamName(projectId), resourceEvents);
    if (!isLiveProjectOf(history, organizationId)) {
      throw new ServiceError('not_found', 'project_not_found', 'Project not found');
    }
  }

  /**
   * Workspaces of the organization, not deleted (else 404 `workspace_not_found`), and none a
   * Personal one (400 `personal_workspace_not_mountable`): those stay their owner's.
   */
  async requireMountable(organizationId: string, workspaceIds: readonly string[]): Promise<void> {
    for (const workspaceId of workspaceIds) {
      const history = await readHistory(
        this.store,
        workspaceStreamName(workspaceId),
        resourceEvents,
      );
      const created = history.find((event) => event.type === 'WorkspaceCreated');
      const deleted = history.some((event) => event.type === 'WorkspaceDeleted');
      if (created?.data.organizationId !== organizationId || deleted) {
        throw new ServiceError('not_found', 'workspace_not_found', 'Workspace not found', {
          workspaceId,
        });
      }
      if (created.data.isPersonal) {
        throw new ServiceError(
          'validation',
          'personal_workspace_not_mountable',
          'A Personal workspace cannot be mounted or attached',
          { workspaceId },
        );
      }
    }
  }

  /** A resource is registered for a current member only: else 422 `owner_not_a_member`. */
  async requireMember(
    organizationId: string,
    userId: string,
    context: RequestContext,
  ): Promise<void> {
    if (!(await this.membership.isMember(userId, organizationId, context))) {
      throw new ServiceError(
        'unprocessable',
        'owner_not_a_member',
        'The owner is not a member of the organization',
      );
    }
  }
}
