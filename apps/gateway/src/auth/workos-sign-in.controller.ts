import { Controller, Query, Req, Res } from '@nestjs/common';
import {
  IDENTITY_SUBJECTS,
  type LogoutReply,
  type ServiceReply,
  type SessionSignInReply,
  type SignInReply,
  type WorkosAuthorizeReply,
} from '@orgplane/contracts';
import { ServiceClient, type RequestContext } from '@orgplane/messaging';
import { ServiceError } from '@orgplane/util';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpRequestContext } from '../common/http-request-context';
import { Route } from '../routes/route.decorator';
import { clearSessionCookie, requireSessionCookie, withSessionCookie } from './session-cookie';

/**
 * Sign-in with WorkOS AuthKit. The identity service does the work (and answers 404
 * `provider_not_configured` without WorkOS); the gateway keeps the sealed session in its cookie.
 */
@Controller()
export class WorkosSignInController {
  constructor(private readonly services: ServiceClient) {}

  @Route('auth.workos.authorize')
  authorize(
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<WorkosAuthorizeReply>> {
    return this.services.request(IDENTITY_SUBJECTS.workosAuthorize, {}, context);
  }

  /** The AuthKit redirect's `code` and `state`; its other parameters are WorkOS's business. */
  @Route('auth.workos.callback')
  async callback(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SignInReply>> {
    const signedIn = await this.services.request<SessionSignInReply>(
      IDENTITY_SUBJECTS.workosCallback,
      { code: query.code, state: query.state },
      context,
    );
    return withSessionCookie(reply, signedIn);
  }

  /** A session that cannot be refreshed is over: its cookie goes too. */
  @Route('auth.refresh')
  async refresh(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<SignInReply>> {
    try {
      const refreshed = await this.services.request<SessionSignInReply>(
        IDENTITY_SUBJECTS.refreshSession,
        { sealedSession: requireSessionCookie(request) },
        context,
      );
      return withSessionCookie(reply, refreshed);
    } catch (error) {
      if (error instanceof ServiceError && error.kind === 'unauthorized') clearSessionCookie(reply);
      throw error;
    }
  }

  /** The cookie goes whatever happens; the reply names where WorkOS ends its own session. */
  @Route('auth.logout')
  logout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @HttpRequestContext() context: RequestContext,
  ): Promise<ServiceReply<LogoutReply>> {
    clearSessionCookie(reply);
    return this.services.request(
      IDENTITY_SUBJECTS.logout,
      { sealedSession: requireSessionCookie(request) },
      context,
    );
  }
}
