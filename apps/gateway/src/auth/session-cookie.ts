import type { SessionSignInReply, ServiceReply, SignInReply } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The WorkOS session, sealed by the identity service. Sent back only to the sign-in routes
 * (`Path=/v1/auth`), never readable by scripts, never over plain HTTP (browsers make an exception
 * for localhost), not on cross-site subrequests.
 */
export const SESSION_COOKIE = 'orgplane_session';
const ATTRIBUTES = 'Path=/v1/auth; HttpOnly; Secure; SameSite=Lax';

/** The session cookie's value, read by hand from the `Cookie` header (RFC 6265 §5.4). */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === SESSION_COOKIE) {
      return pair.slice(separator + 1).trim() || undefined;
    }
  }
  return undefined;
}

export function requireSessionCookie(request: FastifyRequest): string {
  const sealedSession = sessionCookieOf(request);
  if (!sealedSession) {
    throw new ServiceError('unauthorized', 'invalid_session', 'There is no session; sign in');
  }
  return sealedSession;
}

/** Moves the sealed session from identity's reply into the cookie: clients never see it. */
export function withSessionCookie(
  reply: FastifyReply,
  { data: { sealedSession, ...signIn }, ...rest }: ServiceReply<SessionSignInReply>,
): ServiceReply<SignInReply> {
  void reply.header('set-cookie', `${SESSION_COOKIE}=${sealedSession}; ${ATTRIBUTES}`);
  return { ...rest, data: signIn };
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`);
}
