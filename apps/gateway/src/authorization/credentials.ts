import { looksLikeApiKey } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import { invalidCredentials } from '../auth/session-token.verifier';
import type { GatewayRequest } from '../common/http-request-context';

const BEARER = /^Bearer +(\S+)$/i;
export const API_KEY_HEADER = 'X-API-Key';

export type Credentials = { kind: 'apiKey'; key: string } | { kind: 'session'; token: string };

/**
 * `X-API-Key: rt_…`, or `Authorization: Bearer` with an API key (it starts `rt_`) or a session
 * access token. Both headers at once are refused rather than one silently preferred; missing
 * credentials are the same 401 as wrong ones.
 */
export function credentialsOf(request: GatewayRequest): Credentials {
  const apiKey = request.headers[API_KEY_HEADER.toLowerCase()];
  const authorization = request.headers.authorization;
  if (apiKey !== undefined) {
    if (authorization !== undefined) {
      throw ServiceError.validation({
        [API_KEY_HEADER]: ['Send one credential: X-API-Key or Authorization, not both'],
      });
    }
    // A repeated header arrives joined with ", ", which fails the key's format check later.
    if (typeof apiKey !== 'string') throw invalidCredentials();
    return { kind: 'apiKey', key: apiKey };
  }
  const token = BEARER.exec(authorization ?? '')?.[1];
  if (!token) throw invalidCredentials();
  return looksLikeApiKey(token) ? { kind: 'apiKey', key: token } : { kind: 'session', token };
}
