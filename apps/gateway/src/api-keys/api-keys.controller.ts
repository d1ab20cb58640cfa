import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  KEYS_SUBJECTS,
  type ApiKeyView,
  type ApiKeyWithSecretView,
  type ServiceReply,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { pathId, servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

/**
 * API keys of the organization the request acts in (`X-Org-Id`, the session's active one, or the
 * calling key's own). The keys service decides whose keys the caller may see and change.
 */
@Controller()
export class ApiKeysController {
  constructor(private readonly services: ServiceClient) {}

  /** The only answer that holds the key, with a top-level `message` to store it now. */
  @Route('apiKeys.create')
  create(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyWithSecretView>> {
    return this.services.request(KEYS_SUBJECTS.createApiKey, servicePayload(body), context);
  }

  @Route('apiKeys.list')
  list(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyView[]>> {
    return this.services.request(KEYS_SUBJECTS.listApiKeys, servicePayload(query), context);
  }

  @Route('apiKeys.get')
  get(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyView>> {
    return this.services.request(
      KEYS_SUBJECTS.getApiKey,
      { keyId: pathId(id, 'API key') },
      context,
    );
  }

  @Route('apiKeys.update')
  update(
    @Param('id') id: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyView>> {
    return this.services.request(
      KEYS_SUBJECTS.updateApiKey,
      servicePayload(body, { keyId: pathId(id, 'API key') }),
      context,
    );
  }

  @Route('apiKeys.revoke')
  revoke(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyView>> {
    return this.services.request(
      KEYS_SUBJECTS.revokeApiKey,
      { keyId: pathId(id, 'API key') },
      context,
    );
  }

  /** The new key, shown once; the old one works until the grace period ends. */
  @Route('apiKeys.rotate')
  rotate(
    @Param('id') id: string,
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<ApiKeyWithSecretView>> {
    return this.services.request(
      KEYS_SUBJECTS.rotateApiKey,
      servicePayload(body, { keyId: pathId(id, 'API key') }),
      context,
    );
  }
}
