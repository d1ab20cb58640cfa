import { Body, Controller, Param, Query } from '@nestjs/common';
import {
  KEYS_SUBJECTS,
  type ServiceReply,
  type SshKeyDeletedView,
  type SshKeyView,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { pathId, servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

/**
 * SSH public keys registered in the organization the request acts in. The keys service parses
 * and checks them (400 for anything it does not accept, 409 for a key already there).
 */
@Controller()
export class SshKeysController {
  constructor(private readonly services: ServiceClient) {}

  @Route('sshKeys.add')
  add(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SshKeyView>> {
    return this.services.request(KEYS_SUBJECTS.addSshKey, servicePayload(body), context);
  }

  @Route('sshKeys.list')
  list(
    @Query() query: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SshKeyView[]>> {
    return this.services.request(KEYS_SUBJECTS.listSshKeys, servicePayload(query), context);
  }

  @Route('sshKeys.get')
  get(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SshKeyView>> {
    return this.services.request(
      KEYS_SUBJECTS.getSshKey,
      { sshKeyId: pathId(id, 'SSH key') },
      context,
    );
  }

  @Route('sshKeys.delete')
  delete(
    @Param('id') id: string,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SshKeyDeletedView>> {
    return this.services.request(
      KEYS_SUBJECTS.deleteSshKey,
      { sshKeyId: pathId(id, 'SSH key') },
      context,
    );
  }
}
