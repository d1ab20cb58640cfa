import { RESOURCE_COLLECTIONS, RESOURCE_KINDS } from '@orgplane/contracts';
import { ORGANIZATION_HEADER } from '../../src/authorization/authorization.guard';
import {
  registryOperationId,
  type OperationId,
  type RegistryOperationId,
  type ROUTES,
} from '../../src/routes/route-catalog';
import { newSshPublicKey } from './ssh-keys';
import type { HttpRequest } from './stack';
import { uniqueEmail, WORLD_SECRETS, type World } from './world';

/** The request of each route, in a world; the caller's token is added per persona. */
export type RequestOf = (world: World) => Omit<HttpRequest, 'token'>;

const orgPath = (world: World, rest = '') => `/v1/organizations/${world.organizationId}${rest}`;
/** Routes that act in the context's organization name the world's, as a client of several would. */
const inWorld = (world: World) => ({ [ORGANIZATION_HEADER]: world.organizationId });
/**
 * Secret routes name the caller's own private secret: Admin and Member each have one of that name,
 * and no one else may touch it (the secrets spec tests who may do what to whose).
 */
const secretPath = (name: string, rest = '') => `/v1/secrets/${name}${rest}`;

/**
 * Registry routes name the Member's own private resource of their kind: its owner may do all five,
 * Admins too (publishing it to `private`, where it is, changes nothing but is theirs to ask).
 */
const REGISTRY_REQUESTS = Object.fromEntries(
  RESOURCE_KINDS.flatMap((kind) => {
    const collection = `/v1/${RESOURCE_COLLECTIONS[kind]}`;
    const item = (world: World, rest = '') => `${collection}/${world.memberResources[kind]}${rest}`;
    const requests: [RegistryOperationId, RequestOf][] = [
      [
        registryOperationId(kind, 'list'),
        (world) => ({ method: 'GET', path: collection, headers: inWorld(world) }),
      ],
      [
        registryOperationId(kind, 'get'),
        (world) => ({ method: 'GET', path: item(world), headers: inWorld(world) }),
      ],
      [
        registryOperationId(kind, 'update'),
        (world) => ({
          method: 'PATCH',
          path: item(world),
          headers: inWorld(world),
          json: { name: 'Renamed by the matrix' },
        }),
      ],
      [
        registryOperationId(kind, 'delete'),
        (world) => ({ method: 'DELETE', path: item(world), headers: inWorld(world) }),
      ],
      [
        registryOperationId(kind, 'publish'),
        (world) => ({
          method: 'POST',
          path: item(world, '/publish'),
          headers: inWorld(world),
          json: { visibility: 'private' },
        }),
      ],
    ];
    return requests;
  }),
) as Record<RegistryOperationId, RequestOf>;

export const REQUESTS: Record<Exclude<OperationId, PublicOperation>, RequestOf> = {
  'auth.status': () => ({ method: 'GET', path: '/v1/auth/status' }),
  'me.get': () => ({ method: 'GET', path: '/v1/me' }),
  'me.listInvitations': () => ({ method: 'GET', path: '/v1/me/invitations' }),
  'organizations.create': () => ({
    method: 'POST',
    path: '/v1/organizations',
    json: { name: 'Matrix' },
  }),
  'organizations.listMine': () => ({ method: 'GET', path: '/v1/organizations' }),
  'organizations.getCurrent': (world) => ({
    method: 'GET',
    path: '/v1/organizations/current',
    headers: { 'x-org-id': world.organizationId },
  }),
  'organizations.switchCurrent': (world) => ({
    method: 'PUT',
    path: '/v1/organizations/current',
    json: { organizationId: world.organizationId },
  }),
  'organizations.get': (world) => ({ method: 'GET', path: orgPath(world) }),
  'organizations.update': (world) => ({
    method: 'PATCH',
    path: orgPath(world),
    json: { name: 'Renamed by the matrix' },
  }),
  'organizations.delete': (world) => ({ method: 'DELETE', path: orgPath(world) }),
  'members.list': (world) => ({ method: 'GET', path: orgPath(world, '/members') }),
  'members.changeRole': (world) => ({
    method: 'PATCH',
    path: orgPath(world, `/members/${world.member.userId}`),
    json: { role: 'admin' },
  }),
  'members.remove': (world) => ({
    method: 'DELETE',
    path: orgPath(world, `/members/${world.member.userId}`),
  }),
  'members.leave': (world) => ({ method: 'POST', path: orgPath(world, '/leave') }),
  'invitations.create': (world) => ({
    method: 'POST',
    path: orgPath(world, '/invitations'),
    json: { email: uniqueEmail('matrix'), role: 'member' },
  }),
  'invitations.list': (world) => ({ method: 'GET', path: orgPath(world, '/invitations') }),
  'invitations.revoke': (world) => ({
    method: 'DELETE',
    path: orgPath(world, `/invitations/${world.pendingInvitationId}`),
  }),
  'invitations.resend': (world) => ({
    method: 'POST',
    path: orgPath(world, `/invitations/${world.pendingInvitationId}/resend`),
    json: {},
  }),
  'invitations.accept': (world) => ({
    method: 'POST',
    path: `/v1/invitations/${world.pendingInvitationId}/accept`,
  }),
  'apiKeys.create': (world) => ({
    method: 'POST',
    path: '/v1/api-keys',
    headers: inWorld(world),
    json: { name: 'Matrix key', scopes: ['org:read'], expiresIn: '30d' },
  }),
  'apiKeys.list': (world) => ({ method: 'GET', path: '/v1/api-keys', headers: inWorld(world) }),
  'apiKeys.get': (world) => ({
    method: 'GET',
    path: `/v1/api-keys/${world.memberApiKeyId}`,
    headers: inWorld(world),
  }),
  'apiKeys.update': (world) => ({
    method: 'PATCH',
    path: `/v1/api-keys/${world.memberApiKeyId}`,
    headers: inWorld(world),
    json: { name: 'Renamed by the matrix' },
  }),
  'apiKeys.revoke': (world) => ({
    method: 'DELETE',
    path: `/v1/api-keys/${world.memberApiKeyId}`,
    headers: inWorld(world),
  }),
  'apiKeys.rotate': (world) => ({
    method: 'POST',
    path: `/v1/api-keys/${world.memberApiKeyId}/rotate`,
    headers: inWorld(world),
    json: { gracePeriodSeconds: 60 },
  }),
  'sshKeys.add': (world) => ({
    method: 'POST',
    path: '/v1/ssh-keys',
    headers: inWorld(world),
    json: { name: 'Matrix laptop', publicKey: newSshPublicKey() },
  }),
  'sshKeys.list': (world) => ({ method: 'GET', path: '/v1/ssh-keys', headers: inWorld(world) }),
  'sshKeys.get': (world) => ({
    method: 'GET',
    path: `/v1/ssh-keys/${world.memberSshKeyId}`,
    headers: inWorld(world),
  }),
  'sshKeys.delete': (world) => ({
    method: 'DELETE',
    path: `/v1/ssh-keys/${world.memberSshKeyId}`,
    headers: inWorld(world),
  }),
  'secrets.set': (world) => ({
    method: 'POST',
    path: '/v1/secrets',
    headers: inWorld(world),
    json: { name: 'matrix-token', value: 'matrix value', category: 'tool', scope: 'tools' },
  }),
  'secrets.list': (world) => ({ method: 'GET', path: '/v1/secrets', headers: inWorld(world) }),
  'secrets.get': (world) => ({
    method: 'GET',
    path: secretPath(WORLD_SECRETS.active),
    headers: inWorld(world),
  }),
  'secrets.reveal': (world) => ({
    method: 'POST',
    path: secretPath(WORLD_SECRETS.active, '/reveal'),
    headers: inWorld(world),
    json: { version: 1 },
  }),
  'secrets.delete': (world) => ({
    method: 'DELETE',
    path: secretPath(WORLD_SECRETS.active),
    headers: inWorld(world),
  }),
  'secrets.undelete': (world) => ({
    method: 'POST',
    path: secretPath(WORLD_SECRETS.deleted, '/undelete'),
    headers: inWorld(world),
    json: {},
  }),
  'secrets.destroy': (world) => ({
    method: 'POST',
    path: secretPath(WORLD_SECRETS.deleted, '/destroy'),
    headers: inWorld(world),
    json: {},
  }),
  'secrets.versions': (world) => ({
    method: 'GET',
    path: secretPath(WORLD_SECRETS.active, '/versions'),
    headers: inWorld(world),
  }),
  'secrets.accessLog': (world) => ({
    method: 'GET',
    path: secretPath(WORLD_SECRETS.active, '/access-log'),
    headers: inWorld(world),
  }),
  'projects.create': (world) => ({
    method: 'POST',
    path: '/v1/projects',
    headers: inWorld(world),
    json: { name: 'Matrix project', color: '#3366ff' },
  }),
  'projects.list': (world) => ({ method: 'GET', path: '/v1/projects', headers: inWorld(world) }),
  'projects.get': (world) => ({
    method: 'GET',
    path: `/v1/projects/${world.projectId}`,
    headers: inWorld(world),
  }),
  'projects.update': (world) => ({
    method: 'PATCH',
    path: `/v1/projects/${world.projectId}`,
    headers: inWorld(world),
    json: { name: 'Renamed by the matrix' },
  }),
  'projects.delete': (world) => ({
    method: 'DELETE',
    path: `/v1/projects/${world.projectId}`,
    headers: inWorld(world),
  }),
  // Workspace routes name the organization workspace the Member made: theirs, and Admins' to manage.
  'workspaces.create': (world) => ({
    method: 'POST',
    path: '/v1/workspaces',
    headers: inWorld(world),
    json: { name: 'Matrix workspace' },
  }),
  'workspaces.list': (world) => ({
    method: 'GET',
    path: '/v1/workspaces',
    headers: inWorld(world),
  }),
  'workspaces.get': (world) => ({
    method: 'GET',
    path: `/v1/workspaces/${world.memberWorkspaceId}`,
    headers: inWorld(world),
  }),
  'workspaces.usage': (world) => ({
    method: 'GET',
    path: `/v1/workspaces/${world.memberWorkspaceId}/usage`,
    headers: inWorld(world),
  }),
  'workspaces.update': (world) => ({
    method: 'PATCH',
    path: `/v1/workspaces/${world.memberWorkspaceId}`,
    headers: inWorld(world),
    json: { name: 'Renamed by the matrix' },
  }),
  'workspaces.delete': (world) => ({
    method: 'DELETE',
    path: `/v1/workspaces/${world.memberWorkspaceId}`,
    headers: inWorld(world),
  }),
  ...REGISTRY_REQUESTS,
  'activity.list': (world) => ({ method: 'GET', path: '/v1/activity', headers: inWorld(world) }),
  'activity.export': (world) => ({
    method: 'GET',
    path: '/v1/activity/export',
    headers: inWorld(world),
  }),
  'activity.verify': (world) => ({
    method: 'GET',
    path: '/v1/activity/verify',
    headers: inWorld(world),
  }),
  // History needs a moment: now, and from before any world existed to now.
  'history.state': (world) => ({
    method: 'GET',
    path: `/v1/history?at=${new Date().toISOString()}`,
    headers: inWorld(world),
  }),
  'history.diff': (world) => ({
    method: 'GET',
    path: `/v1/history/diff?from=2020-01-01T00:00:00Z&to=${new Date().toISOString()}`,
    headers: inWorld(world),
  }),
};

export type PublicOperation = {
  [Id in OperationId]: (typeof ROUTES)[Id]['access']['kind'] extends 'public' ? Id : never;
}[OperationId];
