import { z } from 'zod';
import { pageRequestShape, queryBoolean } from '../common/page';
import type { OrganizationRole } from '../common/roles';
import { RESOURCE_ACTIONS, RESOURCE_KINDS, RESOURCE_VISIBILITIES } from './resource-access';

/**
 * Payloads of the resources subjects. The caller (message header) acts in the organization the
 * gateway resolved; only shapes are checked here, the rules are the domain's.
 */
const name = z.string().max(1000);
const color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'Expected a colour such as #3366ff')
  .nullable();
const page = pageRequestShape;
const all = queryBoolean.optional();

export const DEFAULT_WORKSPACE_QUOTA_BYTES = 10 * 1024 ** 3;
export const MAX_WORKSPACE_QUOTA_BYTES = 10 * 1024 ** 4;

// --- projects (any member reads; Admins create, update and delete) -----------------------------
export const createProjectRequestSchema = z.strictObject({ name, color: color.optional() });
export type CreateProjectRequest = z.infer<typeof createProjectRequestSchema>;
export const listProjectsRequestSchema = z.strictObject({ ...page });
export type ListProjectsRequest = z.infer<typeof listProjectsRequestSchema>;
const projectIdField = { projectId: z.uuid() };
export const projectRefSchema = z.strictObject(projectIdField);
export type ProjectRef = z.infer<typeof projectRefSchema>;
export const updateProjectBodySchema = z.strictObject({
  name: name.optional(),
  color: color.optional(),
});
export const updateProjectRequestSchema = updateProjectBodySchema.extend(projectIdField);
export type UpdateProjectRequest = z.infer<typeof updateProjectRequestSchema>;

export interface ProjectView {
  id: string;
  organizationId: string;
  name: string;
  color: string | null;
  isDefault: boolean;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProjectDeletedView {
  id: string;
  deleted: true;
  /** where its resources, API keys and SSH keys went */
  movedTo: string;
}

// --- workspaces ----------------------------------------------------------------------------------
export const createWorkspaceRequestSchema = z.strictObject({
  name,
  /** lowercase letters, digits and dashes; derived from the name when absent */
  slug: z.string().max(1000).optional(),
  quotaBytes: z.number().int().positive().max(MAX_WORKSPACE_QUOTA_BYTES).optional(),
  /** the reference's body field: must be the organization the request acts in */
  orgId: z.uuid().optional(),
});
export type CreateWorkspaceRequest = z.infer<typeof createWorkspaceRequestSchema>;
export const listWorkspacesRequestSchema = z.strictObject({ ...page, all });
export type ListWorkspacesRequest = z.infer<typeof listWorkspacesRequestSchema>;
const workspaceIdField = { workspaceId: z.uuid() };
export const workspaceRefSchema = z.strictObject(workspaceIdField);
export type WorkspaceRef = z.infer<typeof workspaceRefSchema>;
export const updateWorkspaceBodySchema = z.strictObject({
  name: name.optional(),
  quotaBytes: z.number().int().positive().max(MAX_WORKSPACE_QUOTA_BYTES).optional(),
});
export const updateWorkspaceRequestSchema = updateWorkspaceBodySchema.extend(workspaceIdField);
export type UpdateWorkspaceRequest = z.infer<typeof updateWorkspaceRequestSchema>;
export const deleteWorkspaceQuerySchema = z.strictObject({ force: queryBoolean.optional() });
export const deleteWorkspaceRequestSchema = deleteWorkspaceQuerySchema.extend(workspaceIdField);
export type DeleteWorkspaceRequest = z.infer<typeof deleteWorkspaceRequestSchema>;

/** A workspace's metadata (reference §7.7); file contents live elsewhere. */
export interface WorkspaceView {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  isPersonal: boolean;
  ownerUserId: string;
  /** bytes stored; file contents are not this service's, so 0 until a storage service reports */
  sizeBytes: number;
  quotaBytes: number;
  createdAt: string;
  updatedAt: string;
  lastAccessedAt: string | null;
}

/** `GET /v1/workspaces/{id}/usage`: the registered resources that mount or attach it. */
export interface WorkspaceUsageView {
  workspaceId: string;
  inUse: boolean;
  /** the referencing resources the caller may see */
  resources: { kind: (typeof RESOURCE_KINDS)[number]; id: string; name: string }[];
  /** referencing resources the caller may not see (another member's private ones) */
  hiddenCount: number;
}

export interface WorkspaceDeletedView {
  id: string;
  deleted: true;
  /** resources it was detached from (`force=true`) */
  detachedFrom: string[];
}

// --- the registry: HTTP (lists, reads, settings, visibility) -------------------------------------
const kind = z.enum(RESOURCE_KINDS);
const visibility = z.enum(RESOURCE_VISIBILITIES);

export const listResourcesQuerySchema = z.strictObject({
  ...page,
  /** Admins only: every member's, private ones included */
  all,
  projectId: z.uuid().optional(),
  visibility: visibility.optional(),
});
export const listResourcesRequestSchema = listResourcesQuerySchema.extend({ kind });
export type ListResourcesRequest = z.infer<typeof listResourcesRequestSchema>;
const resourceRefShape = { kind, resourceId: z.uuid() };
export const resourceRefSchema = z.strictObject(resourceRefShape);
export type ResourceRef = z.infer<typeof resourceRefSchema>;
export const updateResourceBodySchema = z.strictObject({
  name: name.optional(),
  projectId: z.uuid().optional(),
});
export const updateResourceRequestSchema = updateResourceBodySchema.extend(resourceRefShape);
export type UpdateResourceRequest = z.infer<typeof updateResourceRequestSchema>;
export const publishResourceBodySchema = z.strictObject({ visibility });
export const publishResourceRequestSchema = publishResourceBodySchema.extend(resourceRefShape);
export type PublishResourceRequest = z.infer<typeof publishResourceRequestSchema>;

export interface ResourceView {
  id: string;
  organizationId: string;
  kind: (typeof RESOURCE_KINDS)[number];
  name: string;
  ownerUserId: string;
  projectId: string;
  visibility: (typeof RESOURCE_VISIBILITIES)[number];
  workspaceIds: string[];
  registeredBy: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Another organization's public resource, as an outsider reads it: what it is and whose
 * organization published it, nothing of that organization's members, projects or workspaces.
 */
export type PublicResourceView = Pick<
  ResourceView,
  'id' | 'organizationId' | 'kind' | 'name' | 'visibility' | 'createdAt' | 'updatedAt'
>;

export interface ResourceRemovedView {
  id: string;
  removed: true;
}

// --- the registry: NATS, for the platform services that own the resources ------------------------
/**
 * `resources.v1.registerResource` and friends: a platform service (MESSAGE_HEADERS.serviceCredential,
 * checked against RESOURCES_REGISTRARS) records what it created for a user. `resourceId` is the
 * service's own id for it (a retry registers nothing twice); the project defaults to the
 * organization's default project, the visibility to private.
 */
export const registerResourceRequestSchema = z.strictObject({
  organizationId: z.uuid(),
  kind,
  resourceId: z.uuid(),
  name,
  ownerUserId: z.uuid(),
  projectId: z.uuid().optional(),
  workspaceIds: z.array(z.uuid()).max(100).optional(),
});
export type RegisterResourceRequest = z.infer<typeof registerResourceRequestSchema>;
export const updateRegisteredResourceRequestSchema = z.strictObject({
  resourceId: z.uuid(),
  name: name.optional(),
  projectId: z.uuid().optional(),
  workspaceIds: z.array(z.uuid()).max(100).optional(),
});
export type UpdateRegisteredResourceRequest = z.infer<typeof updateRegisteredResourceRequestSchema>;
export const removeRegisteredResourceRequestSchema = z.strictObject({ resourceId: z.uuid() });
export type RemoveRegisteredResourceRequest = z.infer<typeof removeRegisteredResourceRequestSchema>;

// --- authorization for the platform's services ---------------------------------------------------
/** Who asks: a signed-in user, or an API key (acting for its owner, within its scopes). */
export const principalSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('user'), userId: z.uuid() }),
  z.strictObject({ type: z.literal('apiKey'), keyId: z.uuid() }),
]);
export type Principal = z.infer<typeof principalSchema>;

/** `resources.v1.authorize`: may this principal do this action on this resource? */
export const authorizeRequestSchema = z.strictObject({
  principal: principalSchema,
  organizationId: z.uuid(),
  action: z.enum(RESOURCE_ACTIONS),
  resource: z.strictObject({ kind, id: z.uuid() }),
});
export type AuthorizeRequest = z.infer<typeof authorizeRequestSchema>;

/**
 * Why: `allowed` with reason `owner`, `admin`, `visible_to_members`, `public`; or denied with
 * `not_a_member`, `unknown_api_key`, `insufficient_scope`, `not_found` (unknown, or not visible
 * to the principal), `owner_or_admin_required`, `admin_required`, `public_resources_disabled`.
 */
export interface AuthorizationView {
  allowed: boolean;
  reason: string;
  /** the principal's role in the organization, when a member */
  role: OrganizationRole | null;
}
