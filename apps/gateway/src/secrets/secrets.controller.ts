import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  normalizeSecretName,
  SECRETS_VAULT_SUBJECTS,
  setSecretBodySchema,
  type RevealedSecretView,
  type SecretAccessView,
  type SecretDestroyedView,
  type SecretVersionView,
  type SecretView,
  type ServiceReply,
} from '@orgplane/contracts';
import { parseOrThrow, ServiceClient, type RequestContext } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import { HttpRequestContext } from '../common/http-request-context';
import { servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';
import { SecretWrites } from './secret-writes';

/**
 * Secrets of the organization the request acts in: the caller's own and the org-shared ones. The
 * vault decides who may see, reveal and change which secret; the gateway seals new values before
 * they leave it (SecretWrites).
 */
@Controller()
export class SecretsController {
  constructor(
    private readonly services: ServiceClient,
    private readonly writes: SecretWrites,
  ) {}

  /** Create, or rotate when the name exists: validated here, since the value must be sealed. */
  @Route('secrets.set')
  set(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    const request = parseOrThrow(setSecretBodySchema, servicePayload(body));
    // Sealing encodes the value as UTF-8, which would turn a lone surrogate into U+FFFD: the
    // secret would silently hold another value than the one sent.
    if (/\p{Cs}/u.test(request.value)) {
      throw ServiceError.validation({ value: ['Must be valid Unicode text'] });
    }
    return this.writes.set(request, context);
  }

  @Route('secrets.list')
  list(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SecretView[]>> {
    return this.services.request(
      SECRETS_VAULT_SUBJECTS.listSecrets,
      servicePayload(query),
      context,
    );
  }

  @Route('secrets.get')
  get(
    @Param('name') name: string,
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    return this.services.request(
      SECRETS_VAULT_SUBJECTS.getSecret,
      servicePayload(query, { name: pathName(name) }),
      context,
    );
  }

  /** The one reply with a value; the catalog marks it, so no Idempotency-Key record keeps it. */
  @Route('secrets.reveal')
  reveal(
    @Param('name') name: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<RevealedSecretView>> {
    return this.services.request(
      SECRETS_VAULT_SUBJECTS.revealSecret,
      servicePayload(body, { name: pathName(name) }),
      context,
    );
  }

  @Route('secrets.delete')
  delete(
    @Param('name') name: string,
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    return this.services.request(
      SECRETS_VAULT_SUBJECTS.deleteSecret,
      servicePayload(query, { name: pathName(name) }),
      context,
    );
  }

  @Route('secrets.undelete')
  undelete(
    @Param('name') name: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SecretView>> {
    return this.services.request(
      SECRETS_VAULT_SUBJECTS.undeleteSecret,
      servicePayload(body, { name: pathName(name) }),
      context,
    );
  }

  @Route('secrets.destroy')
  destroy(
    @Param('name') name: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SecretDestroyedView>> {
    return this.services.request(
      SECRETS_VAULT_SUBJECTS.destroySecret,
      servicePayload(body, { name: pathName(name) }),
      context,
    );
  }

  @Route('secrets.versions')
  versions(
    @Param('name') name: string,
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SecretVersionView[]>> {
    return this.services.request(
      SECRETS_VAULT_SUBJECTS.listSecretVersions,
      servicePayload(query, { name: pathName(name) }),
      context,
    );
  }

  @Route('secrets.accessLog')
  accessLog(
    @Param('name') name: string,
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SecretAccessView[]>> {
    return this.services.request(
      SECRETS_VAULT_SUBJECTS.listSecretAccess,
      servicePayload(query, { name: pathName(name) }),
      context,
    );
  }
}

/**
 * A secret's name from the path, as sent: the vault normalizes it. One that cannot name a secret
 * (empty once normalized, stray characters, too long) is a 404 like an unknown name, as a
 * malformed id is (pathId).
 */
function pathName(name: string): string {
  if ('problem' in normalizeSecretName(name)) throw ServiceError.notFound('Secret');
  return name;
}
