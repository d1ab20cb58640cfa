import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  addSshKeyRequestSchema,
  deleteSshKeyRequestSchema,
  getSshKeyRequestSchema,
  KEYS_SUBJECTS,
  keyEvents,
  listSshKeysRequestSchema,
  sshKeyStreamName,
  type AddSshKeyRequest,
  type DeleteSshKeyRequest,
  type GetSshKeyRequest,
  type KeyEvent,
  type ListSshKeysRequest,
  type ServiceReply,
  type SshKeyDeletedView,
  type SshKeyView,
} from '@orgplane/contracts';
import {
  ReadModels,
  toEventMetadata,
  CommandRunner,
  type CommandOutcome,
} from '@orgplane/event-sourcing';
import {
  RequestCtx,
  ValidPayload,
  type RequestContext,
  requireOrganizationCaller,
} from '@orgplane/messaging';
import { systemClock } from '@orgplane/util';
import {
  type KeyActor,
  parseSshPublicKey,
  requireAdminForAll,
  requireVisible,
  type SshKey,
  type SshKeyCommand,
  sshKeyDecider,
  sshKeyIdOf,
} from '@orgplane/keys-domain';
import { CurrentProjectsQuery, ProjectReferences } from '../../projects';
import { SshKeysQuery } from '../infrastructure/ssh-keys.query';
import { addedSshKeyView, toSshKeyView } from './ssh-key.view';

@Controller()
export class SshKeysHandlers {
  constructor(
    private readonly commands: CommandRunner,
    private readonly readModels: ReadModels,
    private readonly keys: SshKeysQuery,
    private readonly projectReferences: ProjectReferences,
    private readonly currentProjects: CurrentProjectsQuery,
  ) {}

  /**
   * Registers an OpenSSH public key for the caller (see parseSshPublicKey for what is accepted),
   * in one of the organization's projects if one is named (else 404 `project_not_found`). A
   * refused key is never stored, and its refusal does not repeat it.
   */
  @MessagePattern(KEYS_SUBJECTS.addSshKey)
  async addSshKey(
    @ValidPayload(addSshKeyRequestSchema) request: AddSshKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SshKeyView>> {
    const actor = requireOrganizationCaller(context);
    const key = parseSshPublicKey(request.publicKey);
    if (request.projectId) {
      await this.projectReferences.requireProject(actor.organizationId, request.projectId);
    }
    const sshKeyId = sshKeyIdOf(actor.organizationId, key.fingerprint);
    const { events, position } = await this.execute(
      sshKeyId,
      {
        type: 'AddSshKey',
        data: { sshKeyId, actor, name: request.name, key, projectId: request.projectId },
        metadata: { now: systemClock.now() },
      },
      context,
      actor,
    );
    const [added] = events.filter((event) => event.type === 'SshKeyAdded');
    // The project may have been deleted since it was checked: the key is then in the default one.
    const projectId = await this.currentProjects.of(added.data.projectId);
    return { data: addedSshKeyView({ ...added.data, projectId }), position };
  }

  /**
   * The caller's keys in the organization, or every member's with `all=true` (Admins only), of
   * one project when `projectId` is given; oldest first.
   */
  @MessagePattern(KEYS_SUBJECTS.listSshKeys)
  async listSshKeys(
    @ValidPayload(listSshKeysRequestSchema) request: ListSshKeysRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SshKeyView[]>> {
    const actor = requireOrganizationCaller(context);
    requireAdminForAll(request.all, actor);
    await this.readModels.catchUpTo(context.minPosition);
    const { rows, page } = await this.keys.page(
      {
        organizationId: actor.organizationId,
        ownerUserId: request.all ? null : actor.userId,
        projectId: request.projectId,
      },
      request,
    );
    return { data: rows.map(toSshKeyView), page };
  }

  /** The caller's own key, or any key of the organization for an Admin; else 404. */
  @MessagePattern(KEYS_SUBJECTS.getSshKey)
  async getSshKey(
    @ValidPayload(getSshKeyRequestSchema) request: GetSshKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SshKeyView>> {
    const actor = requireOrganizationCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const key = requireVisible(await this.keys.find(request.sshKeyId), actor, 'SSH key');
    return { data: toSshKeyView(key) };
  }

  /** Its owner or an Admin. */
  @MessagePattern(KEYS_SUBJECTS.deleteSshKey)
  async deleteSshKey(
    @ValidPayload(deleteSshKeyRequestSchema) request: DeleteSshKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SshKeyDeletedView>> {
    const actor = requireOrganizationCaller(context);
    const { position } = await this.execute(
      request.sshKeyId,
      { type: 'DeleteSshKey', data: { by: actor }, metadata: { now: systemClock.now() } },
      context,
      actor,
    );
    return { data: { id: request.sshKeyId, deleted: true }, position };
  }

  private execute(
    sshKeyId: string,
    command: SshKeyCommand,
    context: RequestContext,
    actor: KeyActor,
  ): Promise<CommandOutcome<SshKey, KeyEvent>> {
    return this.commands.run({
      streamName: sshKeyStreamName(sshKeyId),
      decider: sshKeyDecider,
      command,
      codec: keyEvents,
      metadata: toEventMetadata(context, actor.organizationId),
    });
  }
}
