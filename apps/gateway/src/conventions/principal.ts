import type { Caller } from '@orgplane/contracts';
import type { GatewayRequest } from '../common/http-request-context';

/** Whom an authenticated request counts against: rate limits and Idempotency-Keys go by caller. */
export function callerPrincipal(caller: Caller): string {
  // A switch, not `caller.userId`: an API key also names its user, yet is limited apart from it.
  switch (caller.type) {
    case 'user':
      return `user:${caller.userId}`;
    case 'apiKey':
      return `apiKey:${caller.keyId}`;
  }
}

/** The caller, or for routes that need no credentials the client's address. */
export function requestPrincipal(request: GatewayRequest): string {
  return request.caller ? callerPrincipal(request.caller) : `ip:${request.ip}`;
}
