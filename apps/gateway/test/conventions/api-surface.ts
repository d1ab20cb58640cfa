import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenApiDocument } from '../../src/conventions/openapi/openapi.types';
import { routerRoutes } from '../../src/conventions/openapi/router-routes';
import { ROUTES } from '../../src/routes/route-catalog';
import { toRouterPath } from '../../src/routes/route.decorator';

/**
 * The catalog, the OpenAPI document and the running router name the same routes: every route
 * served is documented and declared, and every declared route is served. For the full gateway's
 * end-to-end test, with the document it serves.
 */
export function expectCatalogDocumentAndRouterToAgree(
  app: NestFastifyApplication,
  document: OpenApiDocument,
): void {
  const catalog = Object.entries(ROUTES).map(
    ([operationId, { method, path }]) => `${method} ${toRouterPath(path)} ${operationId}`,
  );
  const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(
      ([method, { operationId }]) => `${method.toUpperCase()} ${toRouterPath(path)} ${operationId}`,
    ),
  );
  expect(documented.sort()).toEqual(catalog.sort());

  const withoutOperationIds = catalog.map((route) => route.split(' ').slice(0, 2).join(' '));
  const served = routerRoutes(app).map(({ method, path }) => `${method} ${path}`);
  expect(served.sort()).toEqual(withoutOperationIds.sort());
}
