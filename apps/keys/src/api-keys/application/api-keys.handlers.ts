import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  apiKeyPrefix,
  apiKeyStreamName,
  createApiKeyRequestSchema,
  generateApiKey,
  getApiKeyRequestSchema,
  hashApiKey,
  KEYS_SUBJECTS,
  keyEvents,
  listApiKeysRequestSchema,
  resolveApiKeyRequestSchema,
  revokeApiKeyRequestSchema,
  rotateApiKeyRequestSchema,
  STORE_KEY_MESSAGE,
  updateApiKeyRequestSchema,
  API_KEY_ROTATION_GRACE_SECONDS,
  type ApiKeyAuthView,
  type ApiKeyView,
  type ApiKeyWithSecretView,
  type CreateApiKeyRequest,
  type GetApiKeyRequest,
  type KeyEvent,
  type ListApiKeysRequest,
  type ResolveApiKeyRequest,
  type RevokeApiKeyRequest,
  type RotateApiKeyRequest,
  type ServiceReply,
  type UpdateApiKeyRequest,
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
import { newId, ServiceError, systemClock } from '@orgplane/util';
import {
  type ApiKey,
  type ApiKeyCommand,
  apiKeyDecider,
  authenticationOf,
  type DrawnSecret,
  hashesOf,
  issued,
  requireAdminForAll,
  requireVisible,
} from '@orgplane/keys-domain';
import { ApiKeyChanges } from '../../common/api-key-changes';
import { MemberProfilesQuery } from '../../profiles';
import { CurrentProjectsQuery, ProjectReferences } from '../../projects';
import { ApiKeyUsageStore } from '../infrastructure/api-key-usage.store';
import { ApiKeysQuery } from '../infrastructure/api-keys.query';
import { recordOf, toApiKeyView } from './api-key.view';

const API_KEY = 'API key';

/** A fresh secret: the key for the reply, its hash and prefix for the events. */
function drawSecret(isTest: boolean): { key: string } & DrawnSecret {
  const key = generateApiKey(isTest);
  return { key, keyHash: hashApiKey(key), keyPrefix: apiKeyPrefix(key) };
}

@Controller()
export class ApiKeysHandlers {
  constructor(
    private readonly commands: CommandRunner,
    private readonly readModels: ReadModels,
    private readonly keys: ApiKeysQuery,
    private readonly usage: ApiKeyUsageStore,
    private readonly profiles: MemberProfilesQuery,
    private readonly apiKeyChanges: ApiKeyChanges,
    private readonly projectReferences: ProjectReferences,
    private readonly currentProjects: CurrentProjectsQuery,
  ) {}

  /**
   * A key owned by the caller in the organization the request acts in, in one of its projects
   * if one is named. The reply is the only place the key ever appears: events and read models
   * keep its hash and prefix.
   */
  @MessagePattern(KEYS_SUBJECTS.createApiKey)
  async createApiKey(
    @ValidPayload(createApiKeyRequestSchema) request: CreateApiKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyWithSecretView>> {
    const actor = requireOrganizationCaller(context);
    if (request.projectId) {
      await this.projectReferences.requireProject(actor.organizationId, request.projectId);
    }
    const keyId = newId();
    const { key, keyHash, keyPrefix } = drawSecret(request.isTest ?? false);
    const now = systemClock.now();
    const { state, position } = await this.execute(
      keyId,
      {
        type: 'CreateApiKey',
        data: { keyId, actor, ...request, keyHash, keyPrefix },
        metadata: { now },
      },
      context,
      actor.organizationId,
    );
    return {
      data: { ...(await this.viewOf(state, now)), key },
      message: STORE_KEY_MESSAGE,
      position,
    };
  }

  /**
   * The caller's keys in the organization, or every member's with `all=true` (Admins only), of
   * one project when `projectId` is given; oldest first, revoked and expired ones included.
   */
  @MessagePattern(KEYS_SUBJECTS.listApiKeys)
  async listApiKeys(
    @ValidPayload(listApiKeysRequestSchema) request: ListApiKeysRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyView[]>> {
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
    const now = systemClock.now();
    return {
      data: rows.map((row) =>
        toApiKeyView(row, row.usage?.lastUsedAt ?? null, row.owner ?? null, now),
      ),
      page,
    };
  }

  /** The caller's own key, or any key of the organization for an Admin; else 404. */
  @MessagePattern(KEYS_SUBJECTS.getApiKey)
  async getApiKey(
    @ValidPayload(getApiKeyRequestSchema) request: GetApiKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyView>> {
    const actor = requireOrganizationCaller(context);
    await this.readModels.catchUpTo(context.minPosition);
    const row = requireVisible(await this.keys.find(request.keyId), actor, API_KEY);
    return {
      data: toApiKeyView(row, row.usage?.lastUsedAt ?? null, row.owner ?? null, systemClock.now()),
    };
  }

  /**
   * The owner renames the key, changes its scopes or its project (see requireOwner for what
   * others get); a revoked key is a 409, a project the organization does not have (any more) a
   * 404. New scopes hold at every gateway once this answers.
   */
  @MessagePattern(KEYS_SUBJECTS.updateApiKey)
  async updateApiKey(
    @ValidPayload(updateApiKeyRequestSchema) request: UpdateApiKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyView>> {
    const actor = requireOrganizationCaller(context);
    const { keyId, ...settings } = request;
    if (settings.projectId) {
      await this.projectReferences.requireProject(actor.organizationId, settings.projectId);
    }
    const now = systemClock.now();
    const { state, position } = await this.execute(
      keyId,
      { type: 'UpdateApiKey', data: { actor, ...settings }, metadata: { now } },
      context,
      actor.organizationId,
    );
    return { data: await this.viewOf(state, now), position };
  }

  /** Its owner or an Admin; a revoked key stays revoked (200, nothing recorded). */
  @MessagePattern(KEYS_SUBJECTS.revokeApiKey)
  async revokeApiKey(
    @ValidPayload(revokeApiKeyRequestSchema) request: RevokeApiKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyView>> {
    const actor = requireOrganizationCaller(context);
    const now = systemClock.now();
    const { state, position } = await this.execute(
      request.keyId,
      { type: 'RevokeApiKey', data: { by: actor }, metadata: { now } },
      context,
      actor.organizationId,
    );
    return { data: await this.viewOf(state, now), position };
  }

  /**
   * The owner gets a new secret for the same key (id and settings kept); the old one keeps
   * working for `gracePeriodSeconds` (default 0). Like creation, the reply is the only place the
   * new key appears.
   */
  @MessagePattern(KEYS_SUBJECTS.rotateApiKey)
  async rotateApiKey(
    @ValidPayload(rotateApiKeyRequestSchema) request: RotateApiKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyWithSecretView>> {
    const actor = requireOrganizationCaller(context);
    const live = drawSecret(false);
    const test = drawSecret(true);
    const now = systemClock.now();
    const { state, position } = await this.execute(
      request.keyId,
      {
        type: 'RotateApiKey',
        data: {
          actor,
          secrets: { live, test },
          gracePeriodSeconds: request.gracePeriodSeconds ?? API_KEY_ROTATION_GRACE_SECONDS.default,
        },
        metadata: { now },
      },
      context,
      actor.organizationId,
    );
    const { key } = issued(state)?.isTest ? test : live;
    return {
      data: { ...(await this.viewOf(state, now)), key },
      message: STORE_KEY_MESSAGE,
      position,
    };
  }

  /**
   * For the gateway (no caller), when a key is not in its cache: the key whose current secret,
   * or previous secret within its grace period, hashes to `keyHash`. Revoked, expired, rotated
   * out and unknown secrets all get the same 404, which the gateway turns into the same 401.
   */
  @MessagePattern(KEYS_SUBJECTS.resolveApiKey)
  async resolveApiKey(
    @ValidPayload(resolveApiKeyRequestSchema) { keyHash }: ResolveApiKeyRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyAuthView>> {
    await this.readModels.catchUpTo(context.minPosition);
    const key = await this.keys.findUnrevokedByHash(keyHash);
    const authentication = key && authenticationOf(key, keyHash, systemClock.now());
    if (!key || !authentication) throw ServiceError.notFound(API_KEY);
    return {
      data: {
        keyId: key.id,
        organizationId: key.organizationId,
        ownerUserId: key.ownerUserId,
        scopes: key.scopes,
        validUntil: authentication.validUntil?.toISOString() ?? null,
      },
    };
  }

  /**
   * Runs a command on the key's stream. Every change to an existing key goes out to the gateways
   * as the hashes to forget; a new key has nothing cached anywhere.
   */
  private execute(
    keyId: string,
    command: ApiKeyCommand,
    context: RequestContext,
    organizationId: string,
  ): Promise<CommandOutcome<ApiKey, KeyEvent>> {
    return this.commands.run({
      streamName: apiKeyStreamName(keyId),
      decider: apiKeyDecider,
      command,
      codec: keyEvents,
      metadata: toEventMetadata(context, organizationId),
      // A new key is in no gateway's cache yet; any other change may be.
      afterVisible:
        command.type === 'CreateApiKey'
          ? undefined
          : ({ state }) => {
              const key = issued(state);
              this.apiKeyChanges.announce(key ? hashesOf(key) : []);
            },
    });
  }

  /**
   * The key as its stream now says, with its last use and its owner's profile, in the project
   * that replaced its own if that one was deleted since.
   */
  private async viewOf(state: ApiKey, now: Date): Promise<ApiKeyView> {
    const key = issued(state);
    if (!key) throw ServiceError.notFound(API_KEY);
    const [lastUsedAt, owner, projectId] = await Promise.all([
      this.usage.lastUsedAt(key.id),
      this.profiles.find(key.ownerUserId),
      this.currentProjects.of(key.projectId),
    ]);
    return toApiKeyView({ ...recordOf(key), projectId }, lastUsedAt, owner, now);
  }
}
