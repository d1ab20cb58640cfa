import type { RouteSpec } from '../../routes/route-catalog';
import { COMPONENTS } from './openapi-components';
import { operationOf } from './openapi-operation';
import type { OpenApiDocument, PathItem } from './openapi.types';

const DESCRIPTION = `The organization control plane's HTTP API.

- Responses: \`{ "data": ..., "meta": { "requestId": ... } }\`; lists add \`meta.hasMore\` and \`meta.nextCursor\`, and take \`limit\` and \`cursor\`.
- Errors: \`{ "error": { "code", "message", "requestId", "details"? } }\`.
- Credentials: a session access token as \`Authorization: Bearer\`, or an API key as \`X-API-Key\` or \`Authorization: Bearer\`. A key acts as its owner, with the owner's current role, in its own organization, within its scopes; every way credentials can be wrong is the same 401.
- Rate limits per user and per API key, and per client address without credentials, counted by each gateway instance, in one-minute windows: \`X-RateLimit-Limit\`, \`X-RateLimit-Remaining\`, \`X-RateLimit-Reset\`, and 429 with \`Retry-After\`.
- \`Idempotency-Key\` on an authenticated POST: sent again with the same body within 24 hours, the request runs once and gets its first response again.
- Read-your-writes: a write answers \`X-Consistency-Position\`; a read that sends it back sees the write.`;

/** The OpenAPI 3.1 document of the routes of the catalog (ROUTES), keyed by operation id. */
export function buildOpenApiDocument(routes: Readonly<Record<string, RouteSpec>>): OpenApiDocument {
  const paths: Record<string, PathItem> = {};
  for (const [operationId, route] of Object.entries(routes)) {
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: operationOf(operationId, route),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Orgplane API', version: '1', description: DESCRIPTION },
    tags: [...new Set(Object.values(routes).map(({ tag }) => tag))].map((name) => ({ name })),
    paths,
    components: COMPONENTS,
  };
}
