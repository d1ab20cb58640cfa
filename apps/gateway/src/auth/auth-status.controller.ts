import { Controller } from '@nestjs/common';
import type { Caller, ServiceReply } from '@orgplane/contracts';
import { requireCaller, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { Route } from '../routes/route.decorator';

/**
 * `GET /v1/auth/status` (the CLI's `auth status`): the caller as the AuthorizationGuard resolved it
 * from the credentials, answered from the gateway's caches without asking a service. It shows a
 * key's holder what the key may do now: its owner's current role and its scopes.
 */
@Controller()
export class AuthStatusController {
  @Route('auth.status')
  status(@HttpRequestContext() context: RequestContext): ServiceReply<Caller> {
    return { data: requireCaller(context) };
  }
}
