import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { IDENTITY_SUBJECTS, type ServiceReply, type SignInReply } from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';

@Controller('v1/auth/dev')
export class DevSignInController {
  constructor(private readonly services: ServiceClient) {}

  /**
   * `POST /v1/auth/dev/sign-in {email}`: a session for that email, no password asked. For local
   * development and tests; the identity service refuses it in production (403).
   */
  @Post('sign-in')
  @HttpCode(200)
  signIn(
    @Body() body: unknown,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SignInReply>> {
    return this.services.request(IDENTITY_SUBJECTS.devSignIn, body, context);
  }
}
