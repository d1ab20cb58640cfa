import type { Logger } from '@nestjs/common';
import {
  userIdOfWorkosUser,
  workosAccessTokenClaimsSchema,
  type SessionSignInReply,
  type WorkosAccessTokenClaims,
} from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import { BadRequestException, OauthException } from '@workos-inc/node';
import { normalizeEmail } from '../../users/domain/user-profile';
import type { WorkosConnection } from './workos';

/** What a sealed session holds that we use. */
export interface OpenedSession {
  accessToken: string;
  claims: WorkosAccessTokenClaims;
  workosUser: { id: string; email: string };
}

/** Opens a sealed session, or refuses it (401 `invalid_session`): not ours, or not one at all. */
export async function openSession(
  { client, settings }: WorkosConnection,
  sealedSession: string,
): Promise<OpenedSession> {
  const session = await client.userManagement
    .getSessionFromCookie({ sessionData: sealedSession, cookiePassword: settings.cookiePassword })
    // The SDK answers a seal that fails its MAC with an empty object, but throws on one that is
    // not even shaped like a seal: both are no session.
    .catch(() => undefined);
  if (!session?.accessToken || !session.user) throw invalidSession();
  return {
    accessToken: session.accessToken,
    claims: accessTokenClaimsOf(session.accessToken),
    workosUser: session.user,
  };
}

/**
 * The reply of a sign-in or a refresh, read back from the sealed session the SDK made: the
 * sealed session is the one source, whether this request or a racing one refreshed it.
 */
export async function sessionReplyOf(
  connection: WorkosConnection,
  sealedSession: string,
  now: Date,
): Promise<SessionSignInReply> {
  const { accessToken, claims, workosUser } = await openSession(connection, sealedSession);
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: Math.max(0, claims.exp - Math.floor(now.getTime() / 1000)),
    user: { id: userIdOfWorkosUser(workosUser.id), email: normalizeEmail(workosUser.email) },
    sealedSession,
  };
}

/**
 * The claims of an access token taken from a sealed session, unverified: the seal's MAC already
 * vouches that WorkOS issued it to us, and an expired token still names its session.
 */
function accessTokenClaimsOf(accessToken: string): WorkosAccessTokenClaims {
  try {
    const payload = accessToken.split('.')[1] ?? '';
    return workosAccessTokenClaimsSchema.parse(
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    );
  } catch {
    throw invalidSession();
  }
}

export function invalidSession(): ServiceError {
  return new ServiceError(
    'unauthorized',
    'invalid_session',
    'The session is missing, invalid or has ended; sign in again',
  );
}

/**
 * WorkOS refusing what the user brought (a used, expired or foreign code or refresh token: 4xx
 * with an OAuth error) is `refusal`, a 401. Anything else (WorkOS unreachable, a 5xx, our API key
 * refused) is ours: a 503 that is logged.
 */
export function workosFailure(error: unknown, refusal: ServiceError, logger: Logger): ServiceError {
  if (error instanceof OauthException || error instanceof BadRequestException) return refusal;
  logger.error(`WorkOS call failed: ${error instanceof Error ? error.message : String(error)}`);
  return new ServiceError('unavailable', 'provider_unavailable', 'WorkOS is not available; retry');
}
