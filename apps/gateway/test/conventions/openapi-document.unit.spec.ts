import { ORGANIZATION_HEADER } from '../../src/authorization/authorization.guard';
import { buildOpenApiDocument } from '../../src/conventions/openapi/openapi-document';
import type {
  Operation,
  Parameter,
  Reference,
  Response,
} from '../../src/conventions/openapi/openapi.types';
import { ROUTES, type OperationId } from '../../src/routes/route-catalog';

const document = buildOpenApiDocument(ROUTES);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operation(operationId: OperationId): Operation {
  const { method, path } = ROUTES[operationId];
  return document.paths[path][method.toLowerCase() as 'get']!;
}

/** Follows a `$ref` to what it names (only local ones: the document has no others). */
function resolve<Target>(value: Target | Reference): Target {
  if (!value || typeof value !== 'object' || !('$ref' in value)) return value as Target;
  const pointer = value.$ref.replace(/^#\//, '').split('/');
  return pointer.reduce<unknown>(
    (node, segment) => (node as Record<string, unknown>)[segment],
    document,
  ) as Target;
}

const parametersOf = (operationId: OperationId) =>
  operation(operationId).parameters.map((parameter) => resolve<Parameter>(parameter));

const errorStatusesOf = (operationId: OperationId) =>
  Object.keys(operation(operationId).responses)
    .map(Number)
    .filter((status) => status >= 400);

describe('the OpenAPI document', () => {
  it('has exactly the catalog’s routes, by method, path and operation id', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, { operationId }]) => [operationId, method, path]),
    );
    const catalog = Object.entries(ROUTES).map(([operationId, { method, path }]) => [
      operationId,
      method.toLowerCase(),
      path,
    ]);
    expect(documented.sort()).toEqual(catalog.sort());
  });

  describe('is well-formed OpenAPI 3.1', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op: op as Operation })),
    );

    it('has the version, info, paths and components 3.1 asks for, and is plain JSON', () => {
      expect(document.openapi).toMatch(/^3\.1\.\d+$/);
      expect(document.info).toEqual(
        expect.objectContaining({ title: expect.any(String), version: expect.any(String) }),
      );
      expect(JSON.parse(JSON.stringify(document))).toEqual(document);
      for (const [path, item] of Object.entries(document.paths)) {
        expect(path).toMatch(/^\//);
        for (const method of Object.keys(item)) expect(HTTP_METHODS).toContain(method);
      }
    });

    it('resolves every $ref inside the document', () => {
      const refs: string[] = [];
      const collect = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(collect);
        else if (node && typeof node === 'object') {
          for (const [key, value] of Object.entries(node)) {
            if (key === '$ref') refs.push(value as string);
            else collect(value);
          }
        }
      };
      collect(document);
      expect(refs.length).toBeGreaterThan(0);
      for (const $ref of new Set(refs)) {
        expect($ref).toMatch(/^#\/components\//);
        expect(resolve({ $ref })).toBeDefined();
      }
    });

    it('gives each operation a unique id, a declared tag and responses with descriptions', () => {
      const ids = operations.map(({ op }) => op.operationId);
      expect(new Set(ids).size).toBe(ids.length);
      const tags = document.tags.map(({ name }) => name);
      for (const { op } of operations) {
        expect(op.summary).toEqual(expect.any(String));
        for (const tag of op.tags) expect(tags).toContain(tag);
        const statuses = Object.keys(op.responses);
        expect(statuses.some((status) => /^2\d\d$/.test(status))).toBe(true);
        for (const status of statuses) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(resolve<Response>(op.responses[status]).description).toEqual(expect.any(String));
        }
        for (const requirement of op.security) {
          for (const scheme of Object.keys(requirement)) {
            expect(document.components.securitySchemes).toHaveProperty(scheme);
          }
        }
      }
    });

    it('declares each path template parameter once, required, and no other path parameter', () => {
      for (const { path, op } of operations) {
        const parameters = op.parameters.map((parameter) => resolve<Parameter>(parameter));
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
        const declared = parameters.filter((parameter) => parameter.in === 'path');
        expect(declared.map(({ name }) => name).sort()).toEqual(inPath.sort());
        for (const parameter of declared) expect(parameter.required).toBe(true);
        const keys = parameters.map(({ name, in: location }) => `${location}:${name}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const parameter of parameters) {
          expect(['path', 'query', 'header', 'cookie']).toContain(parameter.in);
          expect(parameter.schema).toEqual(expect.any(Object));
        }
      }
    });
  });

  it('asks no credentials of public routes, a session of session-only ones, else a session or an API key', () => {
    expect(operation('auth.devSignIn').security).toEqual([]);
    const sessionOrKey = [{ bearer: [] }, { apiKey: [] }];
    expect(operation('me.get').security).toEqual(sessionOrKey);
    expect(operation('members.remove').security).toEqual(sessionOrKey);
    expect(operation('organizations.create').security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    expect(errorStatusesOf('auth.devSignIn')).not.toContain(401);
  });

  it('says what an API key needs of each route, from the catalog', () => {
    expect(operation('members.changeRole').description).toContain(
      'An API key needs the scope `org:members`',
    );
    expect(operation('organizations.create').description).toContain('`session_required`');
    expect(operation('me.get').description).toBe('Any valid API key may call it.');
    expect(operation('sshKeys.list').description).toContain('`admin:resources`');
  });

  it('warns that a reply holding a new key is not given again for an Idempotency-Key', () => {
    for (const operationId of ['apiKeys.create', 'apiKeys.rotate'] as const) {
      expect(operation(operationId).description).toContain('`idempotency_replay_unavailable`');
    }
    expect(operation('sshKeys.add').description).not.toContain('idempotency_replay_unavailable');
  });

  it('describes path ids, query parameters and bodies from the contracts’ schemas', () => {
    expect(parametersOf('members.list')).toEqual(
      expect.arrayContaining([
        { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        expect.objectContaining({
          name: 'limit',
          in: 'query',
          required: false,
          schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 500 }),
        }),
        expect.objectContaining({ name: 'cursor', in: 'query' }),
      ]),
    );
    expect(operation('organizations.create').requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: expect.objectContaining({
            type: 'object',
            required: ['name'],
            additionalProperties: false,
          }),
        },
      },
    });
  });

  it('names X-Org-Id where the organization comes from the context, and Idempotency-Key on POSTs', () => {
    const names = (operationId: OperationId) => parametersOf(operationId).map(({ name }) => name);
    expect(names('organizations.getCurrent')).toContain(ORGANIZATION_HEADER);
    expect(names('organizations.get')).not.toContain(ORGANIZATION_HEADER);
    expect(names('invitations.create')).toContain('Idempotency-Key');
    expect(names('organizations.update')).not.toContain('Idempotency-Key');
    expect(names('auth.devSignIn')).not.toContain('Idempotency-Key');
  });

  it('gives the envelope, with page meta for lists', () => {
    const schemaOf = (operationId: OperationId) =>
      resolve(
        resolve<Response>(operation(operationId).responses[ROUTES[operationId].status]).content![
          'application/json'
        ].schema,
      ) as { properties: { meta: Reference } };
    const pageMeta = resolve<{ required: string[] }>(schemaOf('members.list').properties.meta);
    expect(pageMeta.required).toEqual(['requestId', 'hasMore', 'nextCursor']);
    expect(resolve(schemaOf('organizations.get').properties.meta)).toMatchObject({
      required: ['requestId'],
    });
  });

  it('lists the errors each route can answer, by its access rule', () => {
    expect(errorStatusesOf('organizations.update')).toEqual([
      400, 401, 403, 404, 409, 413, 415, 422, 429, 503,
    ]);
    expect(errorStatusesOf('me.get')).toEqual([400, 401, 403, 429, 503]);
    expect(errorStatusesOf('auth.devSignIn')).toEqual([400, 413, 415, 429, 503]);
    expect(errorStatusesOf('openapi.get')).toEqual([429]);
    const tooMany = resolve<Response>(operation('me.get').responses[429]);
    expect(Object.keys(tooMany.headers!)).toEqual(
      expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Reset', 'Retry-After']),
    );
    expect(resolve<Response>(operation('me.get').responses[400]).content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } },
    });
  });

  it('names the rate-limit headers on successes', () => {
    const ok = resolve<Response>(operation('me.get').responses[200]);
    expect(Object.keys(ok.headers!)).toEqual(
      expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']),
    );
  });
});
