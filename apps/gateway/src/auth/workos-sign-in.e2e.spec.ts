import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { userIdOfWorkosUser } from '@orgplane/contracts';
import { SERVICE_LISTENING_MESSAGE } from '@orgplane/messaging';
import {
  dropSchema,
  startNatsServer,
  startServiceProcess,
  testDatabaseUrl,
  uniqueSchemaName,
  WorkosStandin,
  type RunningNatsServer,
  type ServiceProcess,
} from '@orgplane/testing';
import { createGateway } from '../bootstrap';
import { SESSION_COOKIE } from './session-cookie';

jest.setTimeout(60_000);

const url = testDatabaseUrl();
const schemas = [
  uniqueSchemaName('gateway_workos_events'),
  uniqueSchemaName('gateway_workos_read'),
];
const cookieAttributes = 'Path=/v1/auth; HttpOnly; Secure; SameSite=Lax';

let nats: RunningNatsServer;
let standin: WorkosStandin;
let identity: ServiceProcess;
let gateway: NestFastifyApplication;
let baseUrl: string;

beforeAll(async () => {
  nats = await startNatsServer();
  standin = await WorkosStandin.start({
    apiKey: 'sk_test_gateway',
    clientId: 'client_gateway',
    webhookSecret: 'whsec_gateway',
  });
  identity = await startServiceProcess(
    'identity',
    {
      NATS_URL: nats.url,
      DATABASE_URL: url,
      EVENTSTORE_SCHEMA: schemas[0],
      READ_MODEL_SCHEMA: schemas[1],
      LOG_LEVEL: 'info',
      ...standin.environment(
        'http://127.0.0.1/v1/auth/workos/callback',
        'a cookie password of at least thirty-two characters',
      ),
    },
    { isReady: (line) => line.msg === SERVICE_LISTENING_MESSAGE },
  );
  ({ app: gateway } = await createGateway({ NATS_URL: nats.url, LOG_LEVEL: 'silent' }));
  await gateway.listen(0, '127.0.0.1');
  baseUrl = await gateway.getUrl();
});

afterAll(async () => {
  await gateway?.close();
  await identity?.stop();
  await standin?.stop();
  await nats?.stop();
  for (const schema of schemas) await dropSchema(url, schema);
});

async function call(method: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${baseUrl}${path}`, { method, ...init });
  return {
    status: response.status,
    setCookie: response.headers.get('set-cookie'),
    body: (await response.json()) as { data?: Record<string, unknown>; error?: { code: string } },
  };
}

const sessionOf = (setCookie: string | null) =>
  new RegExp(`^${SESSION_COOKIE}=([^;]+); ${cookieAttributes}$`).exec(setCookie ?? '')?.[1];

describe('WorkOS sign-in through the gateway', () => {
  let session: string | undefined;

  it('signs in: the access token in the body, the sealed session only in the cookie', async () => {
    const authorize = await call('GET', '/v1/auth/workos/authorize');
    expect(authorize.status).toBe(200);
    const { state, authorizationUrl } = authorize.body.data as Record<string, string>;
    expect(authorizationUrl).toContain('provider=authkit');

    const code = standin.signInCode({ id: 'user_01ADA', email: 'ada@example.com' });
    const query = new URLSearchParams({ code, state });
    const callback = await call('GET', `/v1/auth/workos/callback?${query}`);
    expect(callback.status).toBe(200);
    expect(callback.body.data).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      user: { id: userIdOfWorkosUser('user_01ADA'), email: 'ada@example.com' },
    });
    session = sessionOf(callback.setCookie);
    expect(session).toMatch(/^Fe26\.2\*/);
  });

  it('refreshes from the cookie, and sets the new session', async () => {
    const refresh = await call('POST', '/v1/auth/refresh', {
      headers: { cookie: `theme=dark; ${SESSION_COOKIE}=${session}` },
    });
    expect(refresh.status).toBe(200);
    const refreshed = sessionOf(refresh.setCookie);
    expect(refreshed).toMatch(/^Fe26\.2\*/);
    expect(refreshed).not.toBe(session);
    session = refreshed;
  });

  it('refuses a refresh without a session (401), or with a bad one, dropping the cookie', async () => {
    const none = await call('POST', '/v1/auth/refresh');
    expect(none.status).toBe(401);
    expect(none.body.error?.code).toBe('invalid_session');
    const bad = await call('POST', '/v1/auth/refresh', {
      headers: { cookie: `${SESSION_COOKIE}=garbage` },
    });
    expect(bad.status).toBe(401);
    expect(bad.setCookie).toBe(`${SESSION_COOKIE}=; ${cookieAttributes}; Max-Age=0`);
  });

  it('logs out: the WorkOS logout URL, and the cookie dropped', async () => {
    const logout = await call('POST', '/v1/auth/logout', {
      headers: { cookie: `${SESSION_COOKIE}=${session}` },
    });
    expect(logout.status).toBe(200);
    expect(logout.body.data?.logoutUrl).toMatch(/\/user_management\/sessions\/logout\?session_id=/);
    expect(logout.setCookie).toBe(`${SESSION_COOKIE}=; ${cookieAttributes}; Max-Age=0`);
  });

  it('passes webhooks on with the body as sent, and refuses a bad signature', async () => {
    const user = { ...standin.userJson('user_01ADA'), first_name: 'Ada' };
    const { body, signature } = standin.webhook('user.updated', user);
    const post = (payload: string, workosSignature: string) =>
      call('POST', '/v1/webhooks/workos', {
        body: payload,
        headers: { 'content-type': 'application/json', 'workos-signature': workosSignature },
      });
    const accepted = await post(body, signature);
    expect(accepted.status).toBe(200);
    expect(accepted.body.data).toEqual({ received: true });

    const forged = standin.webhook('user.updated', user, { secret: 'not the secret' });
    const refused = await post(forged.body, forged.signature);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('invalid_signature');
  });
});
