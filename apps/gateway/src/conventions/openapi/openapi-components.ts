import { PAGE_LIMIT } from '@orgplane/contracts';
import { ORGANIZATION_HEADER } from '../../authorization/authorization.guard';
import { API_KEY_HEADER } from '../../authorization/credentials';
import { HTTP_HEADERS } from '../../common/http-request-context';
import { IDEMPOTENCY_HEADERS } from '../idempotency/idempotent-request';
import { RATE_LIMIT_HEADERS } from '../rate-limit/rate-limit.guard';
import type { Components, Reference } from './openapi.types';

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

export const ref = {
  schema: (name: keyof typeof SCHEMAS): Reference => ({ $ref: `#/components/schemas/${name}` }),
  parameter: (name: keyof typeof PARAMETERS): Reference => ({
    $ref: `#/components/parameters/${name}`,
  }),
  header: (name: keyof typeof HEADERS): Reference => ({ $ref: `#/components/headers/${name}` }),
  response: (name: string): Reference => ({ $ref: `#/components/responses/${name}` }),
};

/** The statuses an error can have, each with its shared response. */
export const ERROR_RESPONSES = {
  400: {
    name: 'BadRequest',
    description:
      'The request is not valid: `validation_failed` with per-field problems in `error.details.fields`, `invalid_json`, `invalid_text`, or a malformed header',
  },
  401: {
    name: 'Unauthorized',
    description: 'Credentials missing, malformed, expired or revoked (one answer for all of them)',
  },
  403: {
    name: 'Forbidden',
    description:
      'The caller’s role does not allow this (`admin_required`, `not_a_member`); for an API key also `insufficient_scope` (the scope needed is in `error.details.requiredScope`), `session_required`, or `organization_mismatch` (`X-Org-Id` names another organization than the key’s)',
  },
  404: {
    name: 'NotFound',
    description: 'No such resource, or one in an organization the caller does not belong to',
  },
  409: {
    name: 'Conflict',
    description:
      'The current state refuses the change (e.g. `last_admin`), the first request with this Idempotency-Key is still running (`idempotency_in_progress`), or it succeeded with a secret that is shown only once (`idempotency_replay_unavailable`)',
  },
  413: { name: 'PayloadTooLarge', description: 'The body is over the size limit' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not `application/json`' },
  422: {
    name: 'Unprocessable',
    description:
      'The request cannot be carried out as sent, or its Idempotency-Key was used with another body (`idempotency_key_reused`)',
  },
  429: {
    name: 'TooManyRequests',
    description: 'Over the rate limit (`rate_limited`); retry after `Retry-After` seconds',
  },
  503: {
    name: 'Unavailable',
    description: 'A service or store did not answer in time; nothing was done, safe to retry',
  },
} as const;
export type ErrorStatus = keyof typeof ERROR_RESPONSES;
const ERROR_STATUSES = Object.keys(ERROR_RESPONSES).map(Number) as ErrorStatus[];

/** Headers on every response that got past authentication to the rate limiter. */
export const COMMON_RESPONSE_HEADERS = {
  [HTTP_HEADERS.requestId]: ref.header('RequestId'),
  [RATE_LIMIT_HEADERS.limit]: ref.header('RateLimitLimit'),
  [RATE_LIMIT_HEADERS.remaining]: ref.header('RateLimitRemaining'),
  [RATE_LIMIT_HEADERS.reset]: ref.header('RateLimitReset'),
};

/** Each error response's headers: errors raised before the rate limiter have no rate-limit ones. */
function errorHeaders(status: ErrorStatus): Record<string, Reference> {
  switch (status) {
    case 401:
      return {
        [HTTP_HEADERS.requestId]: ref.header('RequestId'),
        'WWW-Authenticate': ref.header('WwwAuthenticate'),
      };
    case 413:
    case 415:
      return { [HTTP_HEADERS.requestId]: ref.header('RequestId') };
    case 429:
      return {
        ...COMMON_RESPONSE_HEADERS,
        [RATE_LIMIT_HEADERS.retryAfter]: ref.header('RetryAfter'),
      };
    default:
      return COMMON_RESPONSE_HEADERS;
  }
}

const SCHEMAS = {
  Meta: {
    type: 'object',
    properties: { requestId: { type: 'string', examples: ['req_4f3k2m5n6p7q8r9s2t3v'] } },
    required: ['requestId'],
  },
  PageMeta: {
    type: 'object',
    properties: {
      requestId: { type: 'string' },
      hasMore: { type: 'boolean' },
      nextCursor: {
        type: ['string', 'null'],
        description: 'pass as `cursor` for the next page; null on the last page',
      },
    },
    required: ['requestId', 'hasMore', 'nextCursor'],
  },
  Envelope: {
    type: 'object',
    properties: {
      data: {},
      message: {
        type: 'string',
        description: 'What the client must know besides the data (a new key: store it now)',
      },
      meta: { $ref: '#/components/schemas/Meta' },
    },
    required: ['data', 'meta'],
  },
  PageEnvelope: {
    type: 'object',
    description: `A page of at most \`limit\` items (${PAGE_LIMIT.min} to ${PAGE_LIMIT.max}, default ${PAGE_LIMIT.default})`,
    properties: {
      data: { type: 'array', items: {} },
      meta: { $ref: '#/components/schemas/PageMeta' },
    },
    required: ['data', 'meta'],
  },
  ErrorEnvelope: {
    type: 'object',
    properties: {
      error: {
        type: 'object',
        properties: {
          code: { type: 'string', examples: ['not_found'] },
          message: { type: 'string' },
          requestId: { type: 'string' },
          details: { type: 'object' },
        },
        required: ['code', 'message', 'requestId'],
      },
    },
    required: ['error'],
  },
} as const;

const PARAMETERS = {
  OrgId: {
    name: ORGANIZATION_HEADER,
    in: 'header',
    required: false,
    description: 'The organization to act in; by default the session’s active organization',
    schema: { type: 'string', format: 'uuid' },
  },
  IdempotencyKey: {
    name: IDEMPOTENCY_HEADERS.key,
    in: 'header',
    required: false,
    description:
      'Sent again with the same body within 24 hours, the request runs once and gets its first response again',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
  },
  ConsistencyPosition: {
    name: HTTP_HEADERS.consistencyPosition,
    in: 'header',
    required: false,
    description:
      'From a write’s response: the read waits until it sees that write (503 `consistency_timeout` past a bound)',
    schema: { type: 'string', pattern: '^\\d+:\\d+$' },
  },
} as const;

const HEADERS = {
  RequestId: {
    description: 'This request’s id, as in the body’s `requestId`',
    schema: { type: 'string' },
  },
  RateLimitLimit: {
    description:
      'Requests allowed per minute for this caller (per API key or user; per address without credentials)',
    schema: { type: 'integer' },
  },
  RateLimitRemaining: { description: 'Requests left in this minute', schema: { type: 'integer' } },
  RateLimitReset: {
    description: 'When the count starts again, in unix seconds',
    schema: { type: 'integer' },
  },
  RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  ConsistencyPosition: {
    description: 'Where this write landed; send it back on a read to see the write there',
    schema: { type: 'string' },
  },
  IdempotencyReplayed: {
    description: '`true` when this is the first response to this Idempotency-Key, given again',
    schema: { type: 'string', enum: ['true'] },
  },
  WwwAuthenticate: { description: 'Always `Bearer`', schema: { type: 'string' } },
  Location: { description: 'Where to go', schema: { type: 'string' } },
} as const;

export const COMPONENTS: Components = {
  securitySchemes: {
    [BEARER_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      description: 'A session access token, or an API key (`rt_live_…`, `rt_test_…`)',
    },
    [API_KEY_SCHEME]: {
      type: 'apiKey',
      in: 'header',
      name: API_KEY_HEADER,
      description:
        'An API key: it acts as its owner, with the owner’s current role, in its own organization, within its scopes',
    },
  },
  parameters: PARAMETERS,
  headers: HEADERS,
  schemas: SCHEMAS,
  responses: Object.fromEntries(
    ERROR_STATUSES.map((status) => [
      ERROR_RESPONSES[status].name,
      {
        description: ERROR_RESPONSES[status].description,
        headers: errorHeaders(status),
        content: { 'application/json': { schema: ref.schema('ErrorEnvelope') } },
      },
    ]),
  ),
};
