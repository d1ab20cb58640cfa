import { Controller, Logger } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  IDENTITY_SUBJECTS,
  logoutRequestSchema,
  refreshSessionRequestSchema,
  workosAuthorizeRequestSchema,
  workosCallbackRequestSchema,
  type LogoutReply,
  type LogoutRequest,
  type RefreshSessionRequest,
  type ServiceReply,
  type SessionSignInReply,
  type WorkosAuthorizeReply,
  type WorkosCallbackRequest,
} from '@orgplane/contracts';
import { formatPosition } from '@orgplane/event-store';
import { RequestCtx, ValidPayload, type RequestContext } from '@orgplane/messaging';
import { ServiceError, systemClock } from '@orgplane/util';
import { UserAccounts } from '../../users/application/user-accounts';
import {
  isValidAuthorizationState,
  issueAuthorizationState,
} from '../infrastructure/authorization-state';
import { SessionRefreshes } from '../infrastructure/session-refreshes';
import { Workos } from '../infrastructure/workos';
import {
  invalidSession,
  openSession,
  sessionReplyOf,
  workosFailure,
} from '../infrastructure/workos-session';

/**
 * Sign-in through WorkOS AuthKit. The session lives in a cookie the gateway keeps: the WorkOS
 * session sealed with the cookie password, which only this service opens.
 */
@Controller()
export class WorkosSignInHandlers {
  private readonly logger = new Logger(WorkosSignInHandlers.name);

  constructor(
    private readonly workos: Workos,
    private readonly refreshes: SessionRefreshes,
    private readonly accounts: UserAccounts,
  ) {}

  /** Where to send the browser: AuthKit's hosted sign-in, with a `state` to check on return. */
  @MessagePattern(IDENTITY_SUBJECTS.workosAuthorize)
  authorize(
    @ValidPayload(workosAuthorizeRequestSchema) _request: unknown,
  ): ServiceReply<WorkosAuthorizeReply> {
    const { client, settings } = this.workos.require();
    const state = issueAuthorizationState(settings.cookiePassword, systemClock.now());
    const authorizationUrl = client.userManagement.getAuthorizationUrl({
      provider: 'authkit',
      clientId: settings.clientId,
      redirectUri: settings.redirectUri,
      state,
    });
    return { data: { authorizationUrl, state } };
  }

  /** Exchanges AuthKit's code for a session; registers the user on their first sign-in. */
  @MessagePattern(IDENTITY_SUBJECTS.workosCallback)
  async callback(
    @ValidPayload(workosCallbackRequestSchema) { code, state }: WorkosCallbackRequest,
    @RequestCtx() context: RequestContext,
  ): Promise<ServiceReply<SessionSignInReply>> {
    const connection = this.workos.require();
    const { client, settings } = connection;
    if (!isValidAuthorizationState(settings.cookiePassword, state, systemClock.now())) {
      throw new ServiceError(
        'validation',
        'invalid_state',
        'The sign-in is not one started here, or took too long; start again',
      );
    }
    const authenticated = await client.userManagement
      .authenticateWithCode({
        code,
        clientId: settings.clientId,
        session: { sealSession: true, cookiePassword: settings.cookiePassword },
      })
      .catch((error: unknown) => {
        const refusal = new ServiceError(
          'unauthorized',
          'sign_in_failed',
          'WorkOS did not accept the sign-in; start again',
        );
        throw workosFailure(error, refusal, this.logger);
      });
    if (!authenticated.sealedSession) throw new Error('The SDK sealed no session');
    const { position } = await this.accounts.syncWorkosUser(authenticated.user, context);
    return {
      data: await sessionReplyOf(connection, authenticated.sealedSession, systemClock.now()),
      ...(position ? { position: formatPosition(position) } : {}),
    };
  }

  /**
   * A new access token (and sealed session) for the sealed session. Concurrent refreshes of one
   * session all get the same new session: see SessionRefreshes.
   */
  @MessagePattern(IDENTITY_SUBJECTS.refreshSession)
  async refresh(
    @ValidPayload(refreshSessionRequestSchema) { sealedSession }: RefreshSessionRequest,
  ): Promise<ServiceReply<SessionSignInReply>> {
    const connection = this.workos.require();
    const { client, settings } = connection;
    // Refused before anything is locked: a session we did not seal.
    await openSession(connection, sealedSession);
    const refreshed = await this.refreshes.refreshOnce(sealedSession, async () => {
      const outcome = await client.userManagement
        .loadSealedSession({ sessionData: sealedSession, cookiePassword: settings.cookiePassword })
        .refresh()
        .catch((error: unknown) => {
          throw workosFailure(error, invalidSession(), this.logger);
        });
      // WorkOS refused the refresh token: used up by a refresh not made here, or session ended.
      if (!outcome.authenticated || !outcome.sealedSession) throw invalidSession();
      return outcome.sealedSession;
    });
    return { data: await sessionReplyOf(connection, refreshed, systemClock.now()) };
  }

  /** Where to send the browser so WorkOS ends its session too; the gateway drops the cookie. */
  @MessagePattern(IDENTITY_SUBJECTS.logout)
  async logout(
    @ValidPayload(logoutRequestSchema) { sealedSession }: LogoutRequest,
  ): Promise<ServiceReply<LogoutReply>> {
    const connection = this.workos.require();
    const { claims } = await openSession(connection, sealedSession);
    const logoutUrl = connection.client.userManagement.getLogoutUrl({ sessionId: claims.sid });
    return { data: { logoutUrl } };
  }
}
