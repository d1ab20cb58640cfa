import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RsaPublicJwk } from '@orgplane/contracts';

/** A WorkOS user as the stand-in keeps it (camelCase; the wire is snake_case). */
export interface WorkosStandinUser {
  id: string;
  email: string;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  profilePictureUrl: string | null;
}

export interface WorkosStandinOrganization {
  id: string;
  name: string;
  externalId: string | null;
}

export interface WorkosStandinMembership {
  id: string;
  organizationId: string;
  userId: string;
  roleSlug: string;
}

export interface WorkosStandinOptions {
  apiKey: string;
  clientId: string;
  webhookSecret: string;
  /** lifetime of the access tokens it issues; default 300 s, as WorkOS */
  accessTokenTtlSeconds?: number;
}

/** One request the stand-in answered, for tests that count calls. */
export interface WorkosStandinRequest {
  method: string;
  path: string;
  /** for `POST /user_management/authenticate` */
  grantType?: string;
}

interface Session {
  id: string;
  userId: string;
}

type Json = Record<string, unknown>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body.message ?? body.error));
  }
}

/**
 * A local HTTP server that plays the WorkOS endpoints the `@workos-inc/node` SDK calls, so tests run
 * the real SDK (`new WorkOS({ apiHostname: '127.0.0.1', port, https: false })`) without the
 * network: AuthKit code and refresh-token exchange, the JWKS its RS256 access tokens verify
 * against, organizations and organization memberships, plus signed webhooks.
 *
 * Like WorkOS, it makes each authorization code and each refresh token single-use: a second
 * refresh with the same token fails with `invalid_grant`.
 */
export class WorkosStandin {
  readonly requests: WorkosStandinRequest[] = [];
  readonly users = new Map<string, WorkosStandinUser>();
  readonly organizations = new Map<string, WorkosStandinOrganization>();
  readonly memberships = new Map<string, WorkosStandinMembership>();
  readonly kid = `sso_oidc_key_pair_${randomId()}`;
  private readonly privateKey: KeyObject;
  /** the public key of its access tokens, as its JWKS lists it */
  readonly publicJwk: RsaPublicJwk;
  private readonly codes = new Map<string, string>();
  private readonly refreshTokens = new Map<string, Session>();

  private constructor(
    private readonly server: Server,
    readonly options: WorkosStandinOptions,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    const { n, e } = publicKey.export({ format: 'jwk' });
    if (!n || !e) throw new Error('An RSA public key without modulus or exponent');
    this.publicJwk = { kty: 'RSA', n, e, kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  static async start(options: WorkosStandinOptions): Promise<WorkosStandin> {
    const server = createServer();
    const standin = new WorkosStandin(server, options);
    server.on('request', (request, response) => void standin.handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return standin;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The issuer of its access tokens, as AuthKit names it. */
  get issuer(): string {
    return `${this.baseUrl}/user_management/${this.options.clientId}`;
  }

  /** The environment that points the identity service (and its SDK) here. */
  environment(redirectUri: string, cookiePassword: string): Record<string, string> {
    return {
      WORKOS_API_KEY: this.options.apiKey,
      WORKOS_CLIENT_ID: this.options.clientId,
      WORKOS_REDIRECT_URI: redirectUri,
      WORKOS_COOKIE_PASSWORD: cookiePassword,
      WORKOS_WEBHOOK_SECRET: this.options.webhookSecret,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(this.port),
      WORKOS_API_HTTPS: 'false',
    };
  }

  /**
   * What AuthKit does once the user signed in: records the user (creating or updating them) and
   * returns the one-time code it would send the browser back with.
   */
  signInCode(user: Partial<WorkosStandinUser> & Pick<WorkosStandinUser, 'email'>): string {
    const id = user.id ?? `user_${randomId()}`;
    this.users.set(id, {
      emailVerified: true,
      firstName: null,
      lastName: null,
      profilePictureUrl: null,
      ...this.users.get(id),
      ...user,
      id,
    });
    const code = randomId();
    this.codes.set(code, id);
    return code;
  }

  /** An access token signed with the stand-in's key (or `privateKey`), for verifier tests. */
  signToken(claims: Json, { header = {}, privateKey = this.privateKey } = {}): string {
    const encode = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: this.kid, ...header })}.${encode(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  }

  /** The body and `WorkOS-Signature` header WorkOS would send for an event. */
  webhook(
    event: string,
    data: Json,
    {
      secret = this.options.webhookSecret,
      id = `event_${randomId()}`,
      timestampMs = Date.now(),
    } = {},
  ): { id: string; body: string; signature: string } {
    const body = JSON.stringify({ id, event, data, created_at: new Date().toISOString() });
    const digest = createHmac('sha256', secret).update(`${timestampMs}.${body}`).digest('hex');
    return { id, body, signature: `t=${timestampMs}, v1=${digest}` };
  }

  /** A user as WorkOS puts it on the wire (webhooks, API replies). */
  userJson(id: string): Json {
    const user = this.users.get(id);
    if (!user) throw new Error(`No WorkOS user ${id}`);
    return {
      object: 'user',
      id: user.id,
      email: user.email,
      email_verified: user.emailVerified,
      first_name: user.firstName,
      last_name: user.lastName,
      profile_picture_url: user.profilePictureUrl,
      last_sign_in_at: new Date().toISOString(),
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: new Date().toISOString(),
      external_id: null,
      metadata: {},
    };
  }

  membershipJson(membership: WorkosStandinMembership): Json {
    return {
      object: 'organization_membership',
      id: membership.id,
      user_id: membership.userId,
      organization_id: membership.organizationId,
      organization_name: this.organizations.get(membership.organizationId)?.name ?? '',
      status: 'active',
      role: { slug: membership.roleSlug },
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: new Date().toISOString(),
    };
  }

  count(method: string, path: string | RegExp, grantType?: string): number {
    return this.requests.filter(
      (request) =>
        request.method === method &&
        (typeof path === 'string' ? request.path === path : path.test(request.path)) &&
        (grantType === undefined || request.grantType === grantType),
    ).length;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    let status = 200;
    let body: Json | null;
    try {
      const text = await readBody(request);
      const input = text ? (JSON.parse(text) as Json) : {};
      this.requests.push({
        method: request.method ?? '',
        path: url.pathname,
        ...(typeof input.grant_type === 'string' ? { grantType: input.grant_type } : {}),
      });
      ({ status, body } = this.route(request, url, input));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      ({ status, body } = error);
    }
    response.writeHead(status, body ? { 'content-type': 'application/json' } : {});
    response.end(body ? JSON.stringify(body) : undefined);
  }

  private route(
    request: IncomingMessage,
    url: URL,
    input: Json,
  ): { status: number; body: Json | null } {
    const route = `${request.method} ${url.pathname}`;
    if (route === `GET /sso/jwks/${this.options.clientId}`) {
      return { status: 200, body: { keys: [this.publicJwk] } };
    }
    if (request.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      throw new HttpError(401, { message: 'Unauthorized' });
    }
    const [, id] = /^\/(?:organizations|user_management\/organization_memberships)\/([^/]+)$/.exec(
      url.pathname,
    ) ?? [undefined, ''];
    switch (true) {
      case route === 'POST /user_management/authenticate':
        return { status: 200, body: this.authenticate(input) };
      case route.startsWith('GET /organizations/external_id/'):
        return { status: 200, body: this.organizationByExternalId(url.pathname.split('/')[3]) };
      case route === 'POST /organizations':
        return { status: 201, body: this.createOrganization(input) };
      case route === `PUT /organizations/${id}`:
        this.organization(id).name = String(input.name);
        return { status: 200, body: organizationJson(this.organization(id)) };
      case route === `DELETE /organizations/${id}`:
        this.organization(id);
        this.organizations.delete(id);
        return { status: 202, body: null };
      case route === 'GET /user_management/organization_memberships':
        return { status: 200, body: this.listMemberships(url.searchParams) };
      case route === 'POST /user_management/organization_memberships':
        return { status: 201, body: this.createMembership(input) };
      case route === `PUT /user_management/organization_memberships/${id}`:
        this.membership(id).roleSlug = String(input.role_slug);
        return { status: 200, body: this.membershipJson(this.membership(id)) };
      case route === `DELETE /user_management/organization_memberships/${id}`:
        this.membership(id);
        this.memberships.delete(id);
        return { status: 202, body: null };
      default:
        throw new HttpError(404, { message: `No route ${route}`, code: 'entity_not_found' });
    }
  }

  private authenticate(input: Json): Json {
    if (input.client_id !== this.options.clientId || input.client_secret !== this.options.apiKey) {
      throw new HttpError(401, { error: 'invalid_client', error_description: 'Bad client' });
    }
    let session: Session | undefined;
    if (input.grant_type === 'authorization_code') {
      const userId = this.codes.get(String(input.code));
      this.codes.delete(String(input.code));
      if (userId) session = { id: `session_${randomId()}`, userId };
    } else if (input.grant_type === 'refresh_token') {
      session = this.refreshTokens.get(String(input.refresh_token));
      this.refreshTokens.delete(String(input.refresh_token));
    }
    if (!session) {
      throw new HttpError(400, {
        error: 'invalid_grant',
        error_description: 'The code or refresh token is invalid, expired or already used.',
      });
    }
    const refreshToken = `refresh_${randomId()}`;
    this.refreshTokens.set(refreshToken, session);
    const now = Math.floor(Date.now() / 1000);
    return {
      user: this.userJson(session.userId),
      access_token: this.signToken({
        iss: this.issuer,
        sub: session.userId,
        sid: session.id,
        jti: randomId(),
        iat: now,
        exp: now + (this.options.accessTokenTtlSeconds ?? 300),
      }),
      refresh_token: refreshToken,
      authentication_method: 'GoogleOAuth',
    };
  }

  private organizationByExternalId(externalId: string): Json {
    const found = [...this.organizations.values()].find((org) => org.externalId === externalId);
    if (!found) throw new HttpError(404, { message: 'Not found', code: 'entity_not_found' });
    return organizationJson(found);
  }

  private createOrganization(input: Json): Json {
    const externalId = typeof input.external_id === 'string' ? input.external_id : null;
    if (externalId && [...this.organizations.values()].some((o) => o.externalId === externalId)) {
      throw new HttpError(409, { message: 'external_id already in use', error: 'conflict' });
    }
    const organization = { id: `org_${randomId()}`, name: String(input.name), externalId };
    this.organizations.set(organization.id, organization);
    return organizationJson(organization);
  }

  private listMemberships(query: URLSearchParams): Json {
    const data = [...this.memberships.values()]
      .filter(
        (m) =>
          (!query.get('organization_id') || m.organizationId === query.get('organization_id')) &&
          (!query.get('user_id') || m.userId === query.get('user_id')),
      )
      .map((membership) => this.membershipJson(membership));
    return { object: 'list', data, list_metadata: { before: null, after: null } };
  }

  private createMembership(input: Json): Json {
    const organizationId = String(input.organization_id);
    const userId = String(input.user_id);
    this.organization(organizationId);
    if (!this.users.has(userId)) throw new HttpError(404, { message: 'No such user' });
    if (
      [...this.memberships.values()].some(
        (m) => m.organizationId === organizationId && m.userId === userId,
      )
    ) {
      throw new HttpError(409, { message: 'Membership exists', error: 'conflict' });
    }
    const membership = {
      id: `om_${randomId()}`,
      organizationId,
      userId,
      roleSlug: String(input.role_slug ?? 'member'),
    };
    this.memberships.set(membership.id, membership);
    return this.membershipJson(membership);
  }

  private organization(id: string): WorkosStandinOrganization {
    const organization = this.organizations.get(id);
    if (!organization) throw new HttpError(404, { message: 'Not found', code: 'entity_not_found' });
    return organization;
  }

  private membership(id: string): WorkosStandinMembership {
    const membership = this.memberships.get(id);
    if (!membership) throw new HttpError(404, { message: 'Not found', code: 'entity_not_found' });
    return membership;
  }
}

function organizationJson(organization: WorkosStandinOrganization): Json {
  return {
    object: 'organization',
    id: organization.id,
    name: organization.name,
    allow_profiles_outside_organization: false,
    domains: [],
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: new Date().toISOString(),
    external_id: organization.externalId,
    metadata: {},
  };
}

/** WorkOS ids: a prefix and 26 upper-case base32 characters (ULID-like). */
function randomId(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return [...randomBytes(26)].map((byte) => alphabet[byte & 31]).join('');
}

async function readBody(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
}
