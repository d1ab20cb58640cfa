import { Controller, Delete, Get, Post } from '@nestjs/common';
import { startNatsServer, type RunningNatsServer } from '@orgplane/testing';
import { buildOpenApiDocument } from '../../src/conventions/openapi/openapi-document';
import { routerRoutes } from '../../src/conventions/openapi/router-routes';
import { ROUTES } from '../../src/routes/route-catalog';
import { expectCatalogDocumentAndRouterToAgree } from './api-surface';
import { startTestGateway, type TestGateway } from './conventions-test-app';

@Controller('v1/things')
class ThingsController {
  @Get()
  list() {
    return { data: [] };
  }

  @Post(':id/parts')
  addPart() {
    return { data: {} };
  }

  @Delete(':id/parts/:partId')
  removePart() {
    return { data: {} };
  }
}

let nats: RunningNatsServer;
let gateway: TestGateway;

beforeAll(async () => {
  nats = await startNatsServer();
  gateway = await startTestGateway({
    natsUrl: nats.url,
    controllers: [ThingsController],
  });
});

afterAll(async () => {
  await gateway?.close();
  await nats?.stop();
});

describe('GET /v1/openapi.json', () => {
  it('serves the document built from the catalog, to anyone, as it is', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual(buildOpenApiDocument(ROUTES));
    expect(response.headers['x-ratelimit-limit']).toBe('60');
  });
});

describe('routerRoutes', () => {
  it('lists what the router serves, without the HEAD routes Fastify adds', () => {
    expect(routerRoutes(gateway.app)).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/v1/openapi.json' },
        { method: 'GET', path: '/v1/things' },
        { method: 'POST', path: '/v1/things/:id/parts' },
        { method: 'DELETE', path: '/v1/things/:id/parts/:partId' },
      ]),
    );
    expect(routerRoutes(gateway.app)).toHaveLength(4);
  });

  it('lets the API surface check catch routes served but not declared, and declared but not served', () => {
    const check = () =>
      expectCatalogDocumentAndRouterToAgree(gateway.app, buildOpenApiDocument(ROUTES));
    expect(check).toThrow(/\+ +"GET \/v1\/things"/);
    expect(check).toThrow(/- +"POST \/v1\/organizations"/);
  });
});
