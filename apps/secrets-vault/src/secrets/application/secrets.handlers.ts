import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  getTransportKeyRequestSchema,
  listSecretsRequestSchema,
  revealSecretRequestSchema,
  secretEvents,
  secretPageRequestSchema,
  secretRefSchema,
  secretStreamName,
  secretValueSchema,
  SECRETS_VAULT_SUBJECTS,
  setSecretRequestSchema,
  type ListSecretsRequest,
  type RevealedSecretView,
  type RevealSecretRequest,
  type SecretAccessView,
  type SecretDestroyedView,
  type SecretEvent,
  type SecretPageRequest,
  type SecretRef,
  type SecretVersionView,
  type SecretView,
  type ServiceReply,
  type SetSecretRequest,
  type TransportKeyView,
  type TransportSealedValue,
} from '@orgplane/contracts';
import {
  CommandRunner,
  ReadModels,
  toEventMetadata,
  type CommandOutcome,
} from '@orgplane/event-sourcing';
import {
  MembershipClient,
  RequestCtx,
  ValidPayload,
  type RequestContext,
  requireOrganizationCaller,
} from '@orgplane/messaging';
import { ServiceError, systemClock } from '@orgplane/util';
import {
  type ActiveSecret,
  adminRequired,
  type DeletedSecret,
  keptVersion,
  ownerMeant,
  requireManager,
  revealAccess,
  revealNotAllowed,
  type Secret,
  type SecretActor,
  type SecretCommand,
  secretDecider,
  type SecretIdentity,
  secretIdOf,
  secretNameOf,
  versionToWrite,
} from '@orgplane/secrets-vault-domain';
import { SecretCipher, TransportKeys } from '../../encryption/secret-cipher';
import { SecretAccessQuery } from '../infrastructure/secret-access.query';
import { SecretVersionsQuery } from '../infrastructure/secret-versions.query';
import { SecretsQuery } from '../infrastructure/secrets.query';
import { SecretDestruction } from './secret-destruction';
import { SecretDisclosure } from './secret-disclosure';
import {
  storedSecretView,
  toSecretAccessView,
  toSecretVersionView,
  toSecretView,
} from './secret.view';

/** The reference's reply text to a create or rotate (RunTools §7.5). */
const UPDATED_MESSAGE = 'Updated.';

@Controller()
export class SecretsHandlers {
  constructor(
    private readonly commands: CommandRunner,
    private readonly readModels: ReadModels,
    private readonly secrets: SecretsQuery,
    private readonly versions: SecretVersionsQuery,
    private readonly access: SecretAccessQuery,
    private readonly disclosure: SecretDisclosure,
    private readonly destruction: SecretDestruction,
    private readonly cipher: SecretCipher,
    private readonly transportKeys: TransportKeys,
    private readonly membership: MembershipClient,
  ) {}

  /** The key the gateway seals values to before a write crosses NATS. */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.getTransportKey)
  async getTransportKey(
    @ValidPayload(getTransportKeyRequestSchema) _request: unknown,
  ): Promise<ServiceReply<TransportKeyView>> {
    return { data: await this.transportKeys.publicKey() };
  }

  /**
   * Creates the caller's secret (or with `orgWide` the organization's, Admins only) or rotates it:
   * a new version, the oldest beyond ten retiring with their value keys. A soft-deleted one is a
   * 409 `secret_deleted`.
   *
   * The value is sealed for its version before the decider runs, because sealing is asynchronous
   * and deciding is not, and the ciphertext is bound to the version: the command is made from the
   * state the stream was read into for the attempt, so one read serves both. If a concurrent write
   * appends first, the command handler reads again and this seals again for the version now next.
   * A lost seal leaves only a value key for a ciphertext never stored, which goes with that
   * version's keys when the version retires or the secret is destroyed.
   */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.setSecret)
  async setSecret(
    @ValidPayload(setSecretRequestSchema) request: SetSecretRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    const actor = requireOrganizationCaller(context);
    const identity = this.identityOf(actor, request);
    const plaintext = await this.openValue(request.sealedValue);
    const settings = {
      category: request.category,
      scope: request.scope,
      description: request.description,
    };
    const { events, state, position } = await this.execute(
      identity.id,
      async (current): Promise<SecretCommand> => {
        const version = versionToWrite(actor, identity.ownerUserId, current);
        const value = await this.cipher.seal(
          { organizationId: identity.organizationId, secretId: identity.id, version },
          plaintext,
        );
        return {
          type: 'SetSecret',
          data: { identity, actor, settings, version, value },
          metadata: { now: systemClock.now() },
        };
      },
      context,
      actor,
    );
    await this.cipher.destroyValueKeys(identity.id, retiredVersionsOf(events));
    return { data: storedSecretView(stored(state)), message: UPDATED_MESSAGE, position };
  }

  /**
   * The caller's private secrets and the org-shared ones, by name. `userOnly` / `orgOnly` keep one
   * kind, `category` / `scope` those of one category or scope; `all=true` (Admins) adds every
   * member's private ones; `deleted=true` lists soft-deleted ones instead, the org-shared among
   * them for Admins only (who alone may restore them). Never values.
   */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.listSecrets)
  async listSecrets(
    @ValidPayload(listSecretsRequestSchema) request: ListSecretsRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SecretView[]>> {
    const actor = requireOrganizationCaller(context);
    if (request.userOnly && request.orgOnly) {
      throw ServiceError.validation(
        { orgOnly: ['userOnly and orgOnly exclude each other'] },
        'Ask for user-only or org-only secrets, not both',
      );
    }
    const isAdmin = actor.role === 'admin';
    if (request.all && !isAdmin) throw adminRequired('list every member’s secrets');
    const deleted = request.deleted ?? false;
    if (deleted && request.orgOnly && !isAdmin) {
      throw adminRequired('list deleted org-shared secrets');
    }
    await this.readModels.catchUpTo(context.minPosition);
    const { rows, page } = await this.secrets.page(
      {
        organizationId: actor.organizationId,
        status: deleted ? 'deleted' : 'active',
        privateOf: request.orgOnly ? null : request.all ? 'all' : actor.userId,
        orgShared: !request.userOnly && (!deleted || isAdmin),
        category: request.category,
        scope: request.scope,
      },
      request,
    );
    return { data: rows.map(toSecretView), page };
  }

  /** The metadata of the caller's secret of that name, or with `orgWide` the organization's. */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.getSecret)
  async getSecret(
    @ValidPayload(secretRefSchema) request: SecretRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    const identity = this.identityOf(requireOrganizationCaller(context), request);
    await this.readModels.catchUpTo(context.minPosition);
    return { data: toSecretView(await this.requireListed(identity.id)) };
  }

  /**
   * The value of a kept version (default the current one), to the owner of a private secret, and
   * of an org-shared one to Admins, or to Members when the organization's policy allows (else 403
   * `reveal_not_allowed`). Every reveal is an audit event, stored before the value leaves.
   */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.revealSecret)
  async revealSecret(
    @ValidPayload(revealSecretRequestSchema) request: RevealSecretRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<RevealedSecretView>> {
    const actor = requireOrganizationCaller(context);
    const secret = await this.disclosure.load(this.identityOf(actor, request).id);
    if (secret.status !== 'active') throw ServiceError.notFound('Secret');
    if (revealAccess(actor, secret.ownerUserId) === 'if_policy_allows') {
      const settings = await this.membership.settingsOf(actor.organizationId, context);
      if (!settings.membersMayRevealOrgSecrets) throw revealNotAllowed();
    }
    const kept = keptVersion(secret, request.version);
    const { value, position } = await this.disclosure.disclose(
      secret,
      kept,
      {
        type: 'SecretRevealed',
        data: {
          secretId: secret.id,
          organizationId: secret.organizationId,
          ownerUserId: secret.ownerUserId,
          name: secret.name,
          version: kept.version,
          revealedBy: actor.userId,
          revealedAt: systemClock.now().toISOString(),
        },
      },
      toEventMetadata(context, actor.organizationId),
    );
    const { id, name, ownerUserId } = secret;
    return {
      data: { id, name, orgWide: ownerUserId === null, version: kept.version, value },
      position,
    };
  }

  /** Soft delete, until undeleted or destroyed; deleting it again records nothing. */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.deleteSecret)
  async deleteSecret(
    @ValidPayload(secretRefSchema) request: SecretRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    const actor = requireOrganizationCaller(context);
    const { state, position } = await this.execute(
      this.identityOf(actor, request).id,
      { type: 'DeleteSecret', data: { by: actor }, metadata: { now: systemClock.now() } },
      context,
      actor,
    );
    return { data: storedSecretView(stored(state)), position };
  }

  /** Restores a soft-deleted secret with its versions; an active one stays as it is. */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.undeleteSecret)
  async undeleteSecret(
    @ValidPayload(secretRefSchema) request: SecretRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    const actor = requireOrganizationCaller(context);
    const { state, position } = await this.execute(
      this.identityOf(actor, request).id,
      { type: 'UndeleteSecret', data: { by: actor }, metadata: { now: systemClock.now() } },
      context,
      actor,
    );
    return { data: storedSecretView(stored(state)), position };
  }

  /**
   * Destroys an active or soft-deleted secret for good: its value keys are deleted, so no copy of
   * its ciphertexts can be opened again, and its name is free.
   */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.destroySecret)
  async destroySecret(
    @ValidPayload(secretRefSchema) request: SecretRef,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SecretDestroyedView>> {
    const actor = requireOrganizationCaller(context);
    const identity = this.identityOf(actor, request);
    const { state, position } = await this.execute(
      identity.id,
      { type: 'DestroySecret', data: { by: actor }, metadata: { now: systemClock.now() } },
      context,
      actor,
    );
    await this.destruction.destroyValueKeys(state);
    return { data: { id: identity.id, name: identity.name, destroyed: true }, position };
  }

  /** The versions the secret keeps, newest first; seen by whoever sees the secret. */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.listSecretVersions)
  async listSecretVersions(
    @ValidPayload(secretPageRequestSchema) request: SecretPageRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SecretVersionView[]>> {
    const identity = this.identityOf(requireOrganizationCaller(context), request);
    await this.readModels.catchUpTo(context.minPosition);
    const secret = await this.requireListed(identity.id);
    const { rows, page } = await this.versions.page(identity.id, request);
    return { data: rows.map((row) => toSecretVersionView(row, secret.version)), page };
  }

  /**
   * Who revealed the secret, and which services resolved it for whom, newest first: for a private
   * secret its owner, for an org-shared one the Admins.
   */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.listSecretAccess)
  async listSecretAccess(
    @ValidPayload(secretPageRequestSchema) request: SecretPageRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SecretAccessView[]>> {
    const actor = requireOrganizationCaller(context);
    const identity = this.identityOf(actor, request);
    requireManager(actor, identity.ownerUserId, 'read who used an org-shared secret');
    await this.readModels.catchUpTo(context.minPosition);
    await this.requireListed(identity.id);
    const { rows, page } = await this.access.page(identity.id, request);
    return { data: rows.map(toSecretAccessView), page };
  }

  /** The secret a request names: the caller's own, or with `orgWide` the organization's. */
  private identityOf(actor: SecretActor, ref: { name: string; orgWide?: boolean }): SecretIdentity {
    const name = secretNameOf(ref.name);
    const ownerUserId = ownerMeant(actor, ref.orgWide);
    return {
      id: secretIdOf(actor.organizationId, ownerUserId, name),
      organizationId: actor.organizationId,
      ownerUserId,
      name,
    };
  }

  private async requireListed(secretId: string) {
    const secret = await this.secrets.find(secretId);
    if (!secret) throw ServiceError.notFound('Secret');
    return secret;
  }

  /** The value as the gateway sealed it, held to the same bounds as the HTTP body's. */
  private async openValue(sealed: TransportSealedValue): Promise<string> {
    const parsed = secretValueSchema.safeParse(await this.transportKeys.open(sealed));
    if (!parsed.success) {
      throw ServiceError.validation({ value: parsed.error.issues.map((issue) => issue.message) });
    }
    return parsed.data;
  }

  private execute(
    secretId: string,
    command: SecretCommand | ((state: Secret) => Promise<SecretCommand>),
    context: RequestContext,
    actor: SecretActor,
  ): Promise<CommandOutcome<Secret, SecretEvent>> {
    return this.commands.run({
      streamName: secretStreamName(secretId),
      decider: secretDecider,
      command,
      codec: secretEvents,
      metadata: toEventMetadata(context, actor.organizationId),
    });
  }
}

/** After a write the decider accepted, the secret is still there (active or soft-deleted). */
function stored(state: Secret): ActiveSecret | DeletedSecret {
  if (state.status !== 'active' && state.status !== 'deleted') {
    throw new Error(`A secret written is ${state.status}`);
  }
  return state;
}

function retiredVersionsOf(events: SecretEvent[]): number[] {
  return events.flatMap((event) =>
    event.type === 'SecretRotated' ? event.data.retiredVersions : [],
  );
}
