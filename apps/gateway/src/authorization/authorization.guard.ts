import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  grantsScope,
  type AccessView,
  type Caller,
  type OrganizationRole,
  type Scope,
} from '@orgplane/contracts';
import { isUuid, ServiceError } from '@orgplane/util';
import {
  invalidCredentials,
  SessionTokenVerifier,
  type SessionUser,
} from '../auth/session-token.verifier';
import { requestContextOf, type GatewayRequest } from '../common/http-request-context';
import type { RouteAccess } from '../routes/route-catalog';
import { ROUTE_METADATA, type RouteMetadata } from '../routes/route.decorator';
import { AccessCache } from './access-cache';
import { ApiKeyCache } from './api-key-cache';
import { ApiKeyUsage } from './api-key-usage';
import { credentialsOf } from './credentials';

export const ORGANIZATION_HEADER = 'x-org-id';
/** What an API key needs besides its owner being an Admin to send `all=true` (see RouteAccess). */
export const ALL_FLAG_SCOPE: Scope = 'admin:resources';

type GuardedAccess = Exclude<RouteAccess, { kind: 'public' }>;
type OrganizationAccess = Extract<RouteAccess, { kind: 'organization' }>;
type ApiKeyCaller = Extract<Caller, { type: 'apiKey' }>;
type MemberCaller = Caller & { organizationId: string; role: OrganizationRole };

/**
 * The one place the gateway decides who may call what: it reads the route's access rule from the
 * catalog (routes/route-catalog.ts), authenticates the caller (a session token or an API key),
 * resolves the organization the request acts in and the caller's role there (from the caches, no
 * round trip in the common case), and refuses what the rule does not allow. What it lets through
 * carries the resolved caller to the services (`request.caller`).
 *
 * Organizations the caller does not belong to do not exist for them: a path naming one is a 404,
 * like an unknown id, so ids cannot be probed.
 */
@Injectable()
export class AuthorizationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: SessionTokenVerifier,
    private readonly access: AccessCache,
    private readonly apiKeys: ApiKeyCache,
    private readonly usage: ApiKeyUsage,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.get<RouteMetadata | undefined>(
      ROUTE_METADATA,
      context.getHandler(),
    );
    // A controller method outside the catalog would be an unguarded route: refuse to serve it.
    if (!route) throw new Error(`${context.getClass().name} has a route outside the catalog`);
    if (route.access.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<GatewayRequest>();
    const credentials = credentialsOf(request);
    request.caller =
      credentials.kind === 'apiKey'
        ? await this.apiKeyCaller(route.access, credentials.key, request)
        : await this.sessionCaller(route.access, credentials.token, request);
    return true;
  }

  /**
   * A session acts as its user, in the organization the path names, else `X-Org-Id`, else the
   * user's active organization.
   */
  private async sessionCaller(
    access: GuardedAccess,
    token: string,
    request: GatewayRequest,
  ): Promise<Caller> {
    const user = await this.verifier.verify(token, requestContextOf(request));
    request.caller = user;
    const memberships = await this.access.of(user.userId, requestContextOf(request));

    if (access.kind === 'signedIn') {
      // Acts for the caller alone; the active organization, when there is one, still informs
      // answers such as /v1/me.
      return withOrganization(user, contextOrganization(request, memberships), memberships);
    }
    const organizationId =
      access.from === 'path'
        ? pathOrganization(request)
        : (contextOrganization(request, memberships) ?? noActiveOrganization());
    const role = roleIn(memberships, organizationId);
    if (!role) {
      if (access.from === 'path') throw ServiceError.notFound('Organization');
      throw notAMember();
    }
    const caller = { ...user, organizationId, role };
    requireRole(access, caller, request);
    return caller;
  }

  /**
   * An API key acts as its owner, with the owner's current role, in the key's organization and no
   * other, within its scopes. A key that does not authenticate now (malformed, unknown, revoked,
   * expired, rotated out, or its owner no longer in the organization) is the same 401 as a bad
   * session token.
   */
  private async apiKeyCaller(
    access: GuardedAccess,
    key: string,
    request: GatewayRequest,
  ): Promise<Caller> {
    const context = requestContextOf(request);
    const found = await this.apiKeys.resolve(key, context);
    if (!found) throw invalidCredentials();
    const role = roleIn(await this.access.of(found.ownerUserId, context), found.organizationId);
    if (!role) throw invalidCredentials();
    this.usage.record(found.keyId);
    const caller: ApiKeyCaller = {
      type: 'apiKey',
      keyId: found.keyId,
      userId: found.ownerUserId,
      organizationId: found.organizationId,
      role,
      scopes: found.scopes,
    };

    if (access.sessionOnly) throw sessionRequired();
    if (access.kind === 'organization' && access.from === 'path') {
      if (pathOrganization(request) !== caller.organizationId) {
        throw ServiceError.notFound('Organization');
      }
    } else {
      const named = headerOrganization(request);
      if (named !== undefined && named !== caller.organizationId) throw organizationMismatch();
    }
    requireScope(caller, access.scope);
    if (access.kind === 'organization') requireRole(access, caller, request);
    return caller;
  }
}

/** The route's roles; `all=true` only for Admins, and for API keys only with ALL_FLAG_SCOPE. */
function requireRole(access: OrganizationAccess, caller: MemberCaller, request: GatewayRequest) {
  if (!access.roles.includes(caller.role)) throw adminRequired();
  if (access.allFlag && queryFlag(request, 'all')) {
    if (caller.role !== 'admin') throw adminRequired();
    if (caller.type === 'apiKey') requireScope(caller, ALL_FLAG_SCOPE);
  }
}

function requireScope(caller: ApiKeyCaller, scope: Scope | undefined): void {
  if (scope && !grantsScope(caller.scopes, scope)) {
    throw new ServiceError(
      'forbidden',
      'insufficient_scope',
      `The API key does not have the scope this needs: ${scope}`,
      { requiredScope: scope },
    );
  }
}

function pathOrganization(request: GatewayRequest): string {
  const id = (request.params as Record<string, string | undefined>).id;
  // A malformed id names no organization.
  if (!id || !isUuid(id)) throw ServiceError.notFound('Organization');
  return id.toLowerCase();
}

/** `X-Org-Id` (validated), when given. */
function headerOrganization(request: GatewayRequest): string | undefined {
  const header = request.headers[ORGANIZATION_HEADER];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !isUuid(header)) {
    throw ServiceError.validation({ 'X-Org-Id': ['Expected an organization id (uuid)'] });
  }
  return header.toLowerCase();
}

/** `X-Org-Id` when given, else the caller's active organization, if any. */
function contextOrganization(request: GatewayRequest, access: AccessView): string | undefined {
  return headerOrganization(request) ?? access.activeOrganizationId ?? undefined;
}

function withOrganization(
  user: SessionUser,
  organizationId: string | undefined,
  access: AccessView,
): Caller {
  const role = organizationId ? roleIn(access, organizationId) : undefined;
  if (organizationId && !role) throw notAMember();
  return role ? { ...user, organizationId, role } : user;
}

function roleIn(access: AccessView, organizationId: string): OrganizationRole | undefined {
  return access.memberships.find((membership) => membership.organizationId === organizationId)
    ?.role;
}

function queryFlag(request: GatewayRequest, name: string): boolean {
  return (request.query as Record<string, unknown> | undefined)?.[name] === 'true';
}

function noActiveOrganization(): never {
  throw new ServiceError(
    'not_found',
    'no_active_organization',
    'You have no active organization: create or join one, or name one with X-Org-Id',
  );
}

function notAMember(): ServiceError {
  return new ServiceError(
    'forbidden',
    'not_a_member',
    'You are not a member of the organization named by X-Org-Id',
  );
}

function adminRequired(): ServiceError {
  return new ServiceError(
    'forbidden',
    'admin_required',
    'Only Admins of the organization may do this',
  );
}

function sessionRequired(): ServiceError {
  return new ServiceError(
    'forbidden',
    'session_required',
    'API keys cannot do this: it acts beyond one organization and needs a signed-in session',
  );
}

function organizationMismatch(): ServiceError {
  return new ServiceError(
    'forbidden',
    'organization_mismatch',
    'An API key acts in its own organization only; X-Org-Id names another',
  );
}
