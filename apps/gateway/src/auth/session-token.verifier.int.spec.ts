import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import {
  IDENTITY_SUBJECTS,
  SESSION_TOKEN,
  userIdOfWorkosUser,
  type EcPublicJwk,
  type Jwks,
  type ServiceReply,
} from '@orgplane/contracts';
import {
  createLogger,
  ServiceClient,
  startService,
  type RequestContext,
} from '@orgplane/messaging';
import { startNatsServer, WorkosStandin, type RunningNatsServer } from '@orgplane/testing';
import { newId, newRequestId, systemClock } from '@orgplane/util';
import { INVALID_TOKEN_MESSAGE, SessionTokenVerifier } from './session-token.verifier';

jest.setTimeout(20_000);

type Claims = Record<string, unknown>;

const ours = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const ourJwk: EcPublicJwk = (() => {
  const { crv, kty, x, y } = ours.export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  return { kty: 'EC', crv: 'P-256', x: x!, y: y!, kid, alg: 'ES256', use: 'sig' };
})();

let nats: RunningNatsServer;
let standin: WorkosStandin;
let identity: INestMicroservice;
let client: ServiceClient;
let jwksRequests = 0;

/** Plays the identity service's `identity.v1.jwks`: our key, and WorkOS's with its issuer. */
@Controller()
class JwksHandlers {
  @MessagePattern(IDENTITY_SUBJECTS.jwks)
  jwks(): ServiceReply<Jwks> {
    jwksRequests++;
    return {
      data: {
        keys: [ourJwk],
        workos: { issuers: [standin.issuer], keys: [standin.publicJwk] },
      },
    };
  }
}

@Module({ controllers: [JwksHandlers] })
class JwksModule {}

beforeAll(async () => {
  nats = await startNatsServer();
  standin = await WorkosStandin.start({
    apiKey: 'sk_test',
    clientId: 'client_test',
    webhookSecret: 'whsec_test',
  });
  identity = await startService({
    service: 'identity',
    module: JwksModule,
    healthSubject: IDENTITY_SUBJECTS.health,
    natsUrl: nats.url,
    logger: createLogger('identity', 'silent'),
    shutdownGraceMs: 0,
  });
  client = new ServiceClient({
    natsUrl: nats.url,
    defaultTimeoutMs: 5000,
    name: 'verifier-spec',
    logger: createLogger('verifier-spec', 'silent'),
  });
  await client.onModuleInit();
});

afterAll(async () => {
  await client?.onApplicationShutdown();
  await identity?.close();
  await standin?.stop();
  await nats?.stop();
});

function context(): RequestContext {
  const requestId = newRequestId();
  return { requestId, correlationId: requestId, causationId: requestId };
}

const now = () => Math.floor(Date.now() / 1000);

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An ES256 token as the identity service signs them, with `claims` overriding. */
function ourToken(claims: Claims = {}, key: KeyObject = ours, header: Claims = {}): string {
  const input = `${encode({ alg: 'ES256', typ: 'JWT', kid: ourJwk.kid, ...header })}.${encode({
    iss: SESSION_TOKEN.issuer,
    aud: SESSION_TOKEN.audience,
    sub: userId,
    iat: now(),
    exp: now() + 3600,
    ...claims,
  })}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** An RS256 access token as WorkOS (the stand-in) signs them. */
function workosToken(claims: Claims = {}, options?: Parameters<WorkosStandin['signToken']>[1]) {
  return standin.signToken(
    {
      iss: standin.issuer,
      sub: 'user_01ADA',
      sid: 'session_01',
      iat: now(),
      exp: now() + 300,
      ...claims,
    },
    options,
  );
}

const userId = newId();
let verifier: SessionTokenVerifier;
beforeEach(() => {
  verifier = new SessionTokenVerifier(client, systemClock);
});

async function expectRefused(token: string): Promise<void> {
  await expect(verifier.verify(token, context())).rejects.toMatchObject({
    kind: 'unauthorized',
    code: 'unauthorized',
    message: INVALID_TOKEN_MESSAGE,
  });
}

describe('SessionTokenVerifier', () => {
  it('accepts our tokens: the caller is the subject', async () => {
    expect(await verifier.verify(ourToken(), context())).toEqual({ type: 'user', userId });
  });

  it('accepts WorkOS access tokens: the caller is the WorkOS user’s Orgplane id', async () => {
    expect(await verifier.verify(workosToken(), context())).toEqual({
      type: 'user',
      userId: userIdOfWorkosUser('user_01ADA'),
    });
  });

  it('refuses expired tokens and tokens from the future', async () => {
    await expectRefused(ourToken({ exp: now() - 60 }));
    await expectRefused(workosToken({ iat: now() - 600, exp: now() - 60 }));
    await expectRefused(workosToken({ iat: now() + 600, exp: now() + 900 }));
  });

  it('refuses tokens of another issuer or audience', async () => {
    await expectRefused(ourToken({ iss: 'someone-else' }));
    await expectRefused(ourToken({ aud: 'another-api' }));
    await expectRefused(
      workosToken({ iss: 'https://api.workos.com/user_management/client_other' }),
    );
    await expectRefused(workosToken({ sub: 'org_01NOTAUSER' }));
  });

  it('refuses tokens signed by another key', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await expectRefused(ourToken({}, stranger));
    const rsaStranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await expectRefused(workosToken({}, { privateKey: rsaStranger }));
    const [header, claims] = workosToken().split('.');
    await expectRefused(`${header}.${claims}.${Buffer.from('forged').toString('base64url')}`);
  });

  it('refuses unsigned tokens and one kind of key passed off as the other', async () => {
    const [, claims] = ourToken().split('.');
    await expectRefused(`${encode({ alg: 'none', kid: ourJwk.kid })}.${claims}.`);
    await expectRefused(`${encode({ alg: 'none', kid: ourJwk.kid })}.${claims}.c2ln`);
    // An RS256 header naming our EC key, and an ES256 header naming WorkOS's RSA key.
    await expectRefused(workosToken({}, { header: { kid: ourJwk.kid } }));
    await expectRefused(ourToken({}, ours, { kid: standin.kid }));
    await expectRefused(ourToken({}, ours, { alg: 'HS256' }));
  });

  it('fetches the keys again for an unknown key id, at most every 10 s', async () => {
    const before = jwksRequests;
    await verifier.verify(ourToken(), context());
    await expectRefused(ourToken({}, ours, { kid: 'rotated-1' }));
    await expectRefused(workosToken({}, { header: { kid: 'rotated-2' } }));
    expect(jwksRequests).toBe(before + 1);
  });
});
