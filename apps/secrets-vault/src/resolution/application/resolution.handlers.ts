import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  resolveSecretRequestSchema,
  SECRETS_VAULT_SUBJECTS,
  type ResolvedSecretView,
  type ResolveSecretRequest,
  type ServiceReply,
} from '@orgplane/contracts';
import { toEventMetadata } from '@orgplane/event-sourcing';
import { RequestCtx, ValidPayload, type RequestContext } from '@orgplane/messaging';
import { ServiceError, systemClock } from '@orgplane/util';
import { Membership } from '../../common/membership';
import { SECRETS_VAULT_CONFIG, type SecretsVaultConfig } from '../../secrets-vault.config';
import { currentVersion, SecretDisclosure, secretIdOf, secretNameOf } from '../../secrets';
import { authorizedResolver, resolvedSecret } from '../domain/resolution';

@Controller()
export class ResolutionHandlers {
  constructor(
    @Inject(SECRETS_VAULT_CONFIG) private readonly config: SecretsVaultConfig,
    private readonly membership: Membership,
    private readonly disclosure: SecretDisclosure,
  ) {}

  /**
   * For the platform's services (SECRETS_RESOLVERS), never through the gateway: the value a run of
   * `usage` uses for a member of the organization, the member's own secret of that name before the
   * org-shared one. A user who is no longer a member gets nothing, as if there were no secret.
   * Every resolution is an audit event naming the service, stored before the value leaves.
   */
  @MessagePattern(SECRETS_VAULT_SUBJECTS.resolveSecret)
  async resolveSecret(
    @ValidPayload(resolveSecretRequestSchema) request: ResolveSecretRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<ResolvedSecretView>> {
    const { organizationId, userId, usage } = request;
    const resolver = authorizedResolver(
      context.serviceCredential,
      usage,
      this.config.SECRETS_RESOLVERS,
    );
    const name = secretNameOf(request.name);
    if (!(await this.membership.isMember(userId, organizationId, context))) {
      throw ServiceError.notFound('Secret');
    }
    const candidates = await Promise.all(
      [userId, null].map((owner) => this.disclosure.load(secretIdOf(organizationId, owner, name))),
    );
    const secret = resolvedSecret(candidates, usage);
    if (!secret) throw ServiceError.notFound('Secret');
    const kept = currentVersion(secret);
    const { value, position } = await this.disclosure.disclose(
      secret,
      kept,
      {
        type: 'SecretResolved',
        data: {
          secretId: secret.id,
          organizationId,
          ownerUserId: secret.ownerUserId,
          name,
          version: kept.version,
          forUserId: userId,
          resolver,
          usage,
          resolvedAt: systemClock.now().toISOString(),
        },
      },
      toEventMetadata(context, organizationId, { type: 'system', id: resolver }),
    );
    return {
      data: {
        secretId: secret.id,
        name,
        source: secret.ownerUserId === null ? 'organization' : 'user',
        version: kept.version,
        value,
      },
      position,
    };
  }
}
