import { z } from 'zod';
import { ALL_FLAG_SCOPE } from '../../authorization/authorization.guard';
import type { RouteSpec } from '../../routes/route-catalog';
import { HTTP_HEADERS } from '../../common/http-request-context';
import { IDEMPOTENCY_HEADERS } from '../idempotency/idempotent-request';
import {
  API_KEY_SCHEME,
  BEARER_SCHEME,
  COMMON_RESPONSE_HEADERS,
  ERROR_RESPONSES,
  ref,
  type ErrorStatus,
} from './openapi-components';
import type { JsonSchema, Operation, Parameter, Reference, Response } from './openapi.types';

/** The document's own route: served as it is (not in the envelope), with no service behind it. */
const DOCUMENT_OPERATION_ID = 'openapi.get';

const PATH_PARAMETER = /\{(\w+)\}/g;

/** One route of the catalog as an OpenAPI operation. */
export function operationOf(operationId: string, route: RouteSpec): Operation {
  const description = [...accessDescriptionOf(route), ...secretDescriptionOf(route)].join(' ');
  return {
    operationId,
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [route.tag],
    security: securityOf(route),
    parameters: [
      ...pathParametersOf(route.path),
      ...queryParametersOf(route.query),
      ...headerParametersOf(route),
    ],
    ...(route.body ? { requestBody: requestBodyOf(route.body) } : {}),
    responses: {
      [route.status]: successResponseOf(operationId, route),
      ...Object.fromEntries(
        errorStatusesOf(operationId, route).map((status) => [
          status,
          ref.response(ERROR_RESPONSES[status].name),
        ]),
      ),
    },
  };
}

/** Sessions, and API keys where the route takes them. */
function securityOf({ access }: RouteSpec): Operation['security'] {
  if (access.kind === 'public') return [];
  if (access.sessionOnly) return [{ [BEARER_SCHEME]: [] }];
  return [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
}

function accessDescriptionOf({ access }: RouteSpec): string[] {
  if (access.kind === 'public') return [];
  const keys = access.sessionOnly
    ? ['Sessions only: API keys get 403 `session_required`.']
    : [
        access.scope
          ? `An API key needs the scope \`${access.scope}\` (else 403 \`insufficient_scope\`).`
          : 'Any valid API key may call it.',
      ];
  if (access.kind === 'signedIn') return keys;
  return [
    access.from === 'path'
      ? 'Acts in the organization `{id}`.'
      : 'Acts in the organization named by `X-Org-Id`, else the session’s active organization; an API key acts in its own.',
    `The caller must be a member with the role ${access.roles.join(' or ')}.`,
    ...keys,
    ...(access.allFlag
      ? [
          `\`all=true\` is for Admins only (403 for Members); an API key also needs the scope \`${ALL_FLAG_SCOPE}\`.`,
        ]
      : []),
  ];
}

function secretDescriptionOf({ secretInReply }: RouteSpec): string[] {
  if (!secretInReply) return [];
  return [
    'The reply holds the key, shown this once only, with a `message` to store it now.',
    'An `Idempotency-Key` sent again does not get it again: the request runs once, and the repeat gets 409 `idempotency_replay_unavailable` with the key’s id in `details.id`.',
  ];
}

/** Every path parameter is an id. */
function pathParametersOf(path: string): Parameter[] {
  return [...path.matchAll(PATH_PARAMETER)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string', format: 'uuid' },
  }));
}

function queryParametersOf(query: z.ZodObject | undefined): Parameter[] {
  if (!query) return [];
  const { properties = {}, required = [] } = jsonSchemaOf(query) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema,
  }));
}

function headerParametersOf({ access, method }: RouteSpec): Reference[] {
  if (access.kind === 'public') return [];
  return [
    ...(access.kind === 'organization' && access.from === 'context'
      ? [ref.parameter('OrgId')]
      : []),
    ...(method === 'POST' ? [ref.parameter('IdempotencyKey')] : []),
    ...(method === 'GET' ? [ref.parameter('ConsistencyPosition')] : []),
  ];
}

function requestBodyOf(body: z.ZodObject): Operation['requestBody'] {
  const schema = jsonSchemaOf(body);
  return {
    required: Array.isArray(schema.required) && schema.required.length > 0,
    content: { 'application/json': { schema } },
  };
}

/** What the services' zod schemas accept, in OpenAPI 3.1's own JSON Schema dialect. */
function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const jsonSchema: JsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  delete jsonSchema.$schema;
  return jsonSchema;
}

function successResponseOf(operationId: string, route: RouteSpec): Response {
  const headers: Record<string, Reference> = {
    ...COMMON_RESPONSE_HEADERS,
    ...(route.method !== 'GET'
      ? { [HTTP_HEADERS.consistencyPosition]: ref.header('ConsistencyPosition') }
      : {}),
    ...(route.method === 'POST' && route.access.kind !== 'public'
      ? { [IDEMPOTENCY_HEADERS.replayed]: ref.header('IdempotencyReplayed') }
      : {}),
  };
  switch (route.status) {
    case 204:
      return { description: 'Done', headers };
    case 302:
      return { description: 'Redirect', headers: { ...headers, Location: ref.header('Location') } };
    default:
      if (route.produces) {
        return {
          description: 'A file, streamed',
          headers,
          content: Object.fromEntries(
            route.produces.map((type) => [type, { schema: { type: 'string' } }]),
          ),
        };
      }
      return {
        description: route.status === 201 ? 'Created' : 'OK',
        headers,
        content: {
          'application/json': {
            schema:
              operationId === DOCUMENT_OPERATION_ID
                ? { type: 'object', description: 'This OpenAPI 3.1 document' }
                : ref.schema(route.paginated ? 'PageEnvelope' : 'Envelope'),
          },
        },
      };
  }
}

/** The errors a route can answer, from its access rule, its method and its path. */
function errorStatusesOf(operationId: string, route: RouteSpec): ErrorStatus[] {
  if (operationId === DOCUMENT_OPERATION_ID) return [429];
  const { access, method, path } = route;
  const statuses = new Set<ErrorStatus>([400, 429, 503]);
  // API keys can be refused anywhere they are let in: scope, session only, another organization.
  if (access.kind !== 'public') statuses.add(401).add(403);
  if (access.kind === 'organization') statuses.add(404);
  if (pathParametersOf(path).length > 0) statuses.add(404);
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') statuses.add(413).add(415);
  if (method !== 'GET' && access.kind !== 'public') statuses.add(409).add(422);
  return [...statuses].sort((a, b) => a - b);
}
