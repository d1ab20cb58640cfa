import { Controller } from '@nestjs/common';
import { IDENTITY_SUBJECTS, type MeView, type ServiceReply } from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { HttpRequestContext } from '../common/http-request-context';
import { Route } from '../routes/route.decorator';

@Controller()
export class MeController {
  constructor(private readonly services: ServiceClient) {}

  /**
   * The signed-in user. The caller carries the organization the request acts in and the role
   * there (the AuthorizationGuard resolves them), from which identity answers `isAdmin` and
   * `activeOrganizationId`.
   */
  @Route('me.get')
  get(@HttpRequestContext() context: RequestContext): Promise<ServiceReply<MeView>> {
    return this.services.request(IDENTITY_SUBJECTS.getMe, {}, context);
  }
}
