import { Inject, Injectable } from '@nestjs/common';
import {
  defaultProjectIdOf,
  isLiveProjectOf,
  projectStreamName,
  resourceEvents,
} from '@orgplane/contracts';
import { EVENT_STORE, readHistory } from '@orgplane/event-sourcing';
import type { EventStore } from '@orgplane/event-store';
import { ServiceError } from '@orgplane/util';

/**
 * The project a key is put in, checked before the command runs, as the resources service checks
 * the project of a resource: from the project's own stream in the event store all services share.
 * A project created a moment ago is there as soon as its creation was answered, and a deletion as
 * soon as it was recorded, with no read model to wait for and no service to ask.
 */
@Injectable()
export class ProjectReferences {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /**
   * A project of the organization, not deleted: else 404 `project_not_found`, as the resources
   * service answers. The default project always is one, even before the reaction to the
   * organization's creation has created it.
   */
  async requireProject(organizationId: string, projectId: string): Promise<void> {
    if (projectId === defaultProjectIdOf(organizationId)) return;
    const history = await readHistory(this.store, projectStreamName(projectId), resourceEvents);
    if (!isLiveProjectOf(history, organizationId)) {
      throw new ServiceError('not_found', 'project_not_found', 'Project not found');
    }
  }
}
