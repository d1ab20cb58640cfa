import { Body, Controller } from '@nestjs/common';
import { IDENTITY_SUBJECTS, type ServiceReply, type SignInReply } from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { servicePayload } from '../common/service-payload';
import { Route } from '../routes/route.decorator';

@Controller()
export class DevSignInController {
  constructor(private readonly services: ServiceClient) {}

  /**
   * `POST /v1/auth/dev/sign-in {email, firstName?, lastName?}`: a session for that email, no
   * password asked. For local development and tests; the identity service refuses it in
   * production (403).
   */
  @Route('auth.devSignIn')
  signIn(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SignInReply>> {
    return this.services.request(IDENTITY_SUBJECTS.devSignIn, servicePayload(body), context);
  }
}
