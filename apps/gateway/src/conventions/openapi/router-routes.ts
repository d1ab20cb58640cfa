import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface ServedRoute {
  method: string;
  /** as the router spells it: `/v1/organizations/:id` */
  path: string;
}

/** `│   ├── /:id (GET, HEAD, PATCH)`: indentation (4 columns a level), segment, methods */
const TREE_LINE = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/;

/**
 * The (method, path) pairs the running app's Fastify router serves, for checking them against the
 * catalog and the OpenAPI document. Fastify lists its routes only as a printed tree, in which each
 * line holds a path segment that continues its parent's. The HEAD routes Fastify adds for every
 * GET are left out.
 */
export function routerRoutes(app: NestFastifyApplication): ServedRoute[] {
  const tree = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const pathAtDepth: string[] = [];
  const routes: ServedRoute[] = [];
  for (const line of tree.split('\n')) {
    const match = TREE_LINE.exec(line);
    if (!match) continue;
    const [, indentation, segment, methods] = match;
    const depth = indentation.length / 4;
    const path = (depth > 0 ? pathAtDepth[depth - 1] : '') + segment;
    pathAtDepth.splice(depth, Infinity, path);
    for (const method of methods?.split(', ') ?? []) {
      if (method !== 'HEAD') routes.push({ method, path });
    }
  }
  return routes;
}
