import { createHash, createHmac } from 'node:crypto';
import { ServiceError } from '@orgplane/util';
import type { GatewayRequest } from '../../common/http-request-context';
import { callerPrincipal } from '../principal';

export const IDEMPOTENCY_HEADERS = {
  key: 'Idempotency-Key',
  /** `true` on a response given again for a repeated key */
  replayed: 'Idempotency-Replayed',
} as const;

/** 1 to 255 visible ASCII characters, no spaces: room for a UUID, a ULID or a client's scheme */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRequest {
  /** the record's key in the store: a hash of the Idempotency-Key and what it is scoped to */
  recordKey: string;
  /**
   * an HMAC of the body and the organization: a key sent again for another request is told apart,
   * and nobody without the fingerprint key can test guesses of a body's secret against it
   */
  fingerprint: string;
}

/**
 * The Idempotency-Key of a POST, scoped to the caller, the method and the path: the same key from
 * another caller or on another path is another request. For a route that acts in an organization,
 * that organization joins the body in the fingerprint rather than the scope: it may come from the
 * session's active organization, so a retry after a switch is refused (422) instead of writing in
 * another organization. Other routes leave it out: creating an organization makes it the active
 * one, and its retry must still replay.
 * `undefined` when there is no key, or no caller: the POSTs open to anyone (sign-in, refresh,
 * webhooks) answer with session tokens, which must not be kept under a key anyone behind the same
 * address could send again.
 */
export function idempotentRequestOf(
  request: GatewayRequest,
  actsInOrganization: boolean,
  fingerprintKey: string,
): IdempotentRequest | undefined {
  const key = request.headers[IDEMPOTENCY_HEADERS.key.toLowerCase()];
  if (request.method !== 'POST' || !request.caller || key === undefined) return undefined;
  // Node joins a repeated header with ", ", which the pattern refuses too.
  if (typeof key !== 'string' || !VALID_KEY.test(key)) {
    throw ServiceError.validation({
      [IDEMPOTENCY_HEADERS.key]: ['Must be 1 to 255 visible ASCII characters'],
    });
  }
  const scope = [callerPrincipal(request.caller), request.method, request.url.split('?')[0], key];
  const sent = {
    organizationId: actsInOrganization ? (request.caller.organizationId ?? null) : null,
    body: request.body ?? null,
  };
  return {
    recordKey: sha256(JSON.stringify(scope)),
    fingerprint: createHmac('sha256', fingerprintKey).update(canonicalJson(sent)).digest('hex'),
  };
}

/** JSON with the keys of every object sorted, so a body sent again in another key order matches. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) =>
    nested !== null && typeof nested === 'object' && !Array.isArray(nested)
      ? Object.fromEntries(Object.entries(nested).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : nested,
  );
}

/** Hex, so it is also a valid NATS KV key. */
function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
