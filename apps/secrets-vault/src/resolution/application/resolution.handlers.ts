import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  resolveSecretRequestSchema,
  SECRETS_VAULT_SUBJECTS,
  type ResolvedSecretView,
  type ResolveSecretRequest,
  type SecretUsage,
  type ServiceReply,
} from '@orgplane/contracts';
import { toEventMetadata } from '@orgplane/event-sourcing';
import {
  authenticateServiceCredential,
  MembershipClient,
  RequestCtx,
  ValidPayload,
  type RequestContext,
} from '@orgplane/messaging';
import { ServiceError, systemClock } from '@orgplane/util';
import { resolvedSecret } from '@orgplane/secrets-vault-domain';
import {
  SECRETS_VAULT_CONFIG,
  type SecretResolver,
  type SecretsVaultConfig,
} from '../../secrets-vault.config';
import { currentVersion, SecretDisclosure, secretIdOf, secretNameOf } from '../../secrets';

/**
 * The service a credential (`<service>:<token>`) proves, if it is registered for `usage`
 * (authenticateServiceCredential). Anything else, a missing credential included, is a 403
 * `resolver_not_authorized` that does not say which part was wrong.
 */
function authorizedResolver(
  credential: string | undefined,
  usage: SecretUsage,
  resolvers: readonly SecretResolver[],
): string {
  const forUsage = resolvers.filter((resolver) => resolver.usage === usage);
  const resolver = authenticateServiceCredential(credential, forUsage);
  if (!resolver) {
    throw new ServiceError(
      'forbidden',
      'resolver_not_authorized',
      'This service may not resolve secrets for this usage',
    );
  }
  return resolver.service;
}

@Controller()
export class ResolutionHandlers {
  constructor(
    @Inject(SECRETS_VAULT_CONFIG) private readonly config: SecretsVaultConfig,
    private readonly membership: MembershipClient,
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
