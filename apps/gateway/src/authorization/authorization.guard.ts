import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AccessView, Caller, OrganizationRole } from '@orgplane/contracts';
import { isUuid, ServiceError } from '@orgplane/util';
import {
  INVALID_TOKEN_MESSAGE,
  SessionTokenVerifier,
  type SessionUser,
} from '../auth/session-token.verifier';
import { requestContextOf, type GatewayRequest } from '../common/http-request-context';
import { ROUTE_METADATA, type RouteMetadata } from '../routes/route.decorator';
import { AccessCache } from './access-cache';

const BEARER = /^Bearer +(\S+)$/i;
export const ORGANIZATION_HEADER = 'x-org-id';

/**
 * The one place the gateway decides who may call what: it reads the route's access rule from the
 * catalog (routes/route-catalog.ts), authenticates the caller, resolves the organization the
 * request acts in and the caller's role there (from the AccessCache, no round trip in the common
 * case), and refuses what the rule does not allow. What it lets through carries the resolved
 * caller to the services (`request.caller`).
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
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new ServiceError('unauthorized', 'unauthorized', INVALID_TOKEN_MESSAGE);
    const user = await this.verifier.verify(token, requestContextOf(request));
    request.caller = user;
    const access = await this.access.of(user.userId, requestContextOf(request));

    if (route.access.kind === 'signedIn') {
      // Acts for the caller alone; the active organization, when there is one, still informs
      // answers such as /v1/me.
      request.caller = withOrganization(user, contextOrganization(request, access), access);
      return true;
    }

    const organizationId =
      route.access.from === 'path'
        ? pathOrganization(request)
        : (contextOrganization(request, access) ?? noActiveOrganization());
    const role = roleIn(access, organizationId);
    if (!role) {
      if (route.access.from === 'path') throw ServiceError.notFound('Organization');
      throw new ServiceError(
        'forbidden',
        'not_a_member',
        'You are not a member of the organization named by X-Org-Id',
      );
    }
    if (!route.access.roles.includes(role)) throw adminRequired();
    if (route.access.allFlag && queryFlag(request, 'all') && role !== 'admin') {
      throw adminRequired();
    }
    request.caller = { ...user, organizationId, role };
    return true;
  }
}

function pathOrganization(request: GatewayRequest): string {
  const id = (request.params as Record<string, string | undefined>).id;
  // A malformed id names no organization.
  if (!id || !isUuid(id)) throw ServiceError.notFound('Organization');
  return id.toLowerCase();
}

/** `X-Org-Id` when given (validated), else the caller's active organization, if any. */
function contextOrganization(request: GatewayRequest, access: AccessView): string | undefined {
  const header = request.headers[ORGANIZATION_HEADER];
  if (header === undefined) return access.activeOrganizationId ?? undefined;
  if (typeof header !== 'string' || !isUuid(header)) {
    throw ServiceError.validation({ 'X-Org-Id': ['Expected an organization id (uuid)'] });
  }
  return header.toLowerCase();
}

function withOrganization(
  user: SessionUser,
  organizationId: string | undefined,
  access: AccessView,
): Caller {
  const role = organizationId ? roleIn(access, organizationId) : undefined;
  if (organizationId && !role) {
    throw new ServiceError(
      'forbidden',
      'not_a_member',
      'You are not a member of the organization named by X-Org-Id',
    );
  }
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

function adminRequired(): ServiceError {
  return new ServiceError(
    'forbidden',
    'admin_required',
    'Only Admins of the organization may do this',
  );
}
