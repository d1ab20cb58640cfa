import {
  applyDecorators,
  HttpCode,
  RequestMapping,
  RequestMethod,
  SetMetadata,
} from '@nestjs/common';
import { ROUTES, type HttpMethod, type OperationId, type RouteSpec } from './route-catalog';

export const ROUTE_METADATA = 'orgplane:route';

const REQUEST_METHOD: Record<HttpMethod, RequestMethod> = {
  GET: RequestMethod.GET,
  POST: RequestMethod.POST,
  PUT: RequestMethod.PUT,
  PATCH: RequestMethod.PATCH,
  DELETE: RequestMethod.DELETE,
};

/** `/v1/organizations/{id}` as Nest and Fastify spell it: `/v1/organizations/:id`. */
export function toRouterPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * `@Route('members.changeRole')` maps a controller method to its route of the catalog: method,
 * path, success status, and the metadata the AuthorizationGuard reads. Controllers carry no path of
 * their own (`@Controller()`), so the catalog is the one place routes are declared.
 */
export function Route(operationId: OperationId): MethodDecorator {
  const spec: RouteSpec = ROUTES[operationId];
  return applyDecorators(
    RequestMapping({ path: toRouterPath(spec.path), method: REQUEST_METHOD[spec.method] }),
    HttpCode(spec.status),
    SetMetadata(ROUTE_METADATA, { operationId, ...spec }),
  );
}

export type RouteMetadata = RouteSpec & { operationId: OperationId };
