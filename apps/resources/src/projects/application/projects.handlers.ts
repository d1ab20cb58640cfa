import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  createProjectRequestSchema,
  defaultProjectIdOf,
  listProjectsRequestSchema,
  projectRefSchema,
  projectStreamName,
  RESOURCES_SUBJECTS,
  resourceEvents,
  updateProjectRequestSchema,
  type CreateProjectRequest,
  type ListProjectsRequest,
  type ProjectDeletedView,
  type ProjectRef,
  type ProjectView,
  type ResourceEvent,
  type ServiceReply,
  type UpdateProjectRequest,
} from '@orgplane/contracts';
import {
  CommandRunner,
  ReadModels,
  toEventMetadata,
  type CommandOutcome,
} from '@orgplane/event-sourcing';
import {
  RequestCtx,
  ValidPayload,
  requireOrganizationCaller,
  type RequestContext,
} from '@orgplane/messaging';
import { newId, ServiceError, systemClock } from '@orgplane/util';
import {
  type OrganizationActor,
  type Project,
  type ProjectCommand,
  projectDecider,
  requireProject,
} from '@orgplane/resources-domain';
import { HeadCatchUp } from '../../common/reactions';
import { ProjectsQuery } from '../infrastructure/projects.query';
import { activeProjectView, toProjectView } from './project.view';

/** Projects group resources for navigation: any member reads them, Admins change them. */
@Controller()
export class ProjectsHandlers {
  constructor(
    private readonly commands: CommandRunner,
    private readonly readModels: ReadModels,
    private readonly headCatchUp: HeadCatchUp,
    private readonly projects: ProjectsQuery,
  ) {}

  /** Admins only; `color` is `#rrggbb`, stored lowercase. */
  @MessagePattern(RESOURCES_SUBJECTS.createProject)
  async createProject(
    @ValidPayload(createProjectRequestSchema) request: CreateProjectRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ProjectView>> {
    const actor = requireOrganizationCaller(context);
    const projectId = newId();
    const { state, position } = await this.execute(
      projectId,
      {
        type: 'CreateProject',
        data: { projectId, actor, name: request.name, color: request.color },
        metadata: { now: systemClock.now() },
      },
      context,
      actor,
    );
    return { data: activeProjectView(requireProject(state, actor)), position };
  }

  /** The organization's projects, oldest (the default one) first. */
  @MessagePattern(RESOURCES_SUBJECTS.listProjects)
  async listProjects(
    @ValidPayload(listProjectsRequestSchema) request: ListProjectsRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ProjectView[]>> {
    const actor = requireOrganizationCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    // The default project exists from the organization's creation on, as far as clients know.
    await this.headCatchUp.find(() => this.defaultProjectOf(actor));
    const { rows, page } = await this.projects.page(actor.organizationId, request);
    return { data: rows.map(toProjectView), page };
  }

  /** A project of the caller's organization; else 404. */
  @MessagePattern(RESOURCES_SUBJECTS.getProject)
  async getProject(
    @ValidPayload(projectRefSchema) request: ProjectRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ProjectView>> {
    const actor = requireOrganizationCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const project = await this.headCatchUp.find(() =>
      this.projects.find(actor.organizationId, request.projectId),
    );
    if (!project) throw ServiceError.notFound('Project');
    return { data: toProjectView(project) };
  }

  /** Renames and/or recolours (Admins); replies with the project as it is now. */
  @MessagePattern(RESOURCES_SUBJECTS.updateProject)
  async updateProject(
    @ValidPayload(updateProjectRequestSchema) request: UpdateProjectRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ProjectView>> {
    const actor = requireOrganizationCaller(context);
    const { projectId, name, color } = request;
    const { state, position } = await this.execute(
      projectId,
      { type: 'UpdateProject', data: { actor, name, color }, metadata: { now: systemClock.now() } },
      context,
      actor,
    );
    return { data: activeProjectView(requireProject(state, actor)), position };
  }

  /**
   * Admins delete any project but the default one (409 `default_project`), which receives what
   * the deleted one grouped.
   */
  @MessagePattern(RESOURCES_SUBJECTS.deleteProject)
  async deleteProject(
    @ValidPayload(projectRefSchema) request: ProjectRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ProjectDeletedView>> {
    const actor = requireOrganizationCaller(context);
    const { position } = await this.execute(
      request.projectId,
      { type: 'DeleteProject', data: { actor }, metadata: { now: systemClock.now() } },
      context,
      actor,
    );
    return {
      data: {
        id: request.projectId,
        deleted: true,
        movedTo: defaultProjectIdOf(actor.organizationId),
      },
      position,
    };
  }

  private defaultProjectOf(actor: OrganizationActor) {
    return this.projects.find(actor.organizationId, defaultProjectIdOf(actor.organizationId));
  }

  private execute(
    projectId: string,
    command: ProjectCommand,
    context: RequestContext,
    actor: OrganizationActor,
  ): Promise<CommandOutcome<Project, ResourceEvent>> {
    return this.commands.run({
      streamName: projectStreamName(projectId),
      decider: projectDecider,
      command,
      codec: resourceEvents,
      metadata: toEventMetadata(context, actor.organizationId),
    });
  }
}
