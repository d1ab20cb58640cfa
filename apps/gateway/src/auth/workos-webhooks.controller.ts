import { Controller, Headers, Req } from '@nestjs/common';
import { IDENTITY_SUBJECTS, type ServiceReply, type WorkosWebhookReply } from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import type { RawBodyRequest } from '../common/json-body';
import { Route } from '../routes/route.decorator';

@Controller()
export class WorkosWebhooksController {
  constructor(private readonly services: ServiceClient) {}

  /**
   * WorkOS events. The identity service checks the signature against the body exactly as it
   * arrived (kept by json-body.ts), and answers 401 `invalid_signature` for a forged one.
   */
  @Route('webhooks.workos')
  receive(
    @Req() request: RawBodyRequest,
    @Headers('workos-signature') signature: string | undefined,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<WorkosWebhookReply>> {
    return this.services.request(
      IDENTITY_SUBJECTS.workosWebhook,
      { payload: request.rawBody ?? '', signature: signature ?? '' },
      context,
    );
  }
}
