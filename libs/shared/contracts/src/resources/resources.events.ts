import { z } from 'zod';
import { defineEventCatalog, type EventOf } from '../events';
import { departureCauseSchema } from '../membership/departure';
import { RESOURCE_KINDS, RESOURCE_VISIBILITIES } from './resource-access';

const at = z.iso.datetime();
const name = z.string().min(1).max(100);
const color = z
  .string()
  .regex(/^#[0-9a-f]{6}$/)
  .nullable();
/** a user, or null when the platform did it (a reaction, a registering service) */
const byUser = z.uuid().nullable();

const resourceEventDefinitions = {
  /** `isDefault`: the organization's own, created by a reaction to OrganizationCreated */
  ProjectCreated: {
    schemaVersion: 1,
    data: z.strictObject({
      projectId: z.uuid(),
      organizationId: z.uuid(),
      name,
      color,
      isDefault: z.boolean(),
      createdBy: byUser,
      createdAt: at,
    }),
  },
  /** the whole new settings */
  ProjectUpdated: {
    schemaVersion: 1,
    data: z.strictObject({
      projectId: z.uuid(),
      name,
      color,
      updatedBy: z.uuid(),
      updatedAt: at,
    }),
  },
  /**
   * Everything the project grouped (resources, API keys, SSH keys) belongs to `defaultProjectId`
   * from here on: every read model moves its rows in the step that folds this event.
   */
  ProjectDeleted: {
    schemaVersion: 1,
    data: z.strictObject({
      projectId: z.uuid(),
      organizationId: z.uuid(),
      defaultProjectId: z.uuid(),
      deletedBy: z.uuid(),
      deletedAt: at,
    }),
  },
  WorkspaceCreated: {
    schemaVersion: 1,
    data: z.strictObject({
      workspaceId: z.uuid(),
      organizationId: z.uuid(),
      name,
      slug: z.string().min(1).max(100),
      /** personal: its owner's and Admins' to see, never mountable */
      isPersonal: z.boolean(),
      ownerUserId: z.uuid(),
      quotaBytes: z.number().int().positive(),
      createdBy: byUser,
      createdAt: at,
    }),
  },
  WorkspaceUpdated: {
    schemaVersion: 1,
    data: z.strictObject({
      workspaceId: z.uuid(),
      name,
      quotaBytes: z.number().int().positive(),
      updatedBy: z.uuid(),
      updatedAt: at,
    }),
  },
  /** `detachedFrom`: the resources that referenced it when deleted with `force=true` */
  WorkspaceDeleted: {
    schemaVersion: 1,
    data: z.strictObject({
      workspaceId: z.uuid(),
      organizationId: z.uuid(),
      detachedFrom: z.array(z.uuid()),
      deletedBy: z.uuid(),
      deletedAt: at,
    }),
  },
  /** A platform service (`registeredBy`) registered a sandbox, agent, workflow or tool. */
  ResourceRegistered: {
    schemaVersion: 1,
    data: z.strictObject({
      resourceId: z.uuid(),
      organizationId: z.uuid(),
      kind: z.enum(RESOURCE_KINDS),
      name,
      ownerUserId: z.uuid(),
      projectId: z.uuid(),
      visibility: z.enum(RESOURCE_VISIBILITIES),
      /** workspaces it mounts or attaches (never a personal one) */
      workspaceIds: z.array(z.uuid()),
      registeredBy: z.string().min(1),
      registeredAt: at,
    }),
  },
  /** the whole new settings; by a user through the API, or by the registering service */
  ResourceUpdated: {
    schemaVersion: 1,
    data: z.strictObject({
      resourceId: z.uuid(),
      name,
      projectId: z.uuid(),
      workspaceIds: z.array(z.uuid()),
      updatedBy: byUser,
      updatedByService: z.string().min(1).nullable(),
      updatedAt: at,
    }),
  },
  ResourceVisibilityChanged: {
    schemaVersion: 1,
    data: z.strictObject({
      resourceId: z.uuid(),
      visibility: z.enum(RESOURCE_VISIBILITIES),
      previousVisibility: z.enum(RESOURCE_VISIBILITIES),
      changedBy: z.uuid(),
      changedAt: at,
    }),
  },
  /** A member's departure handed their private resource to the Admin who removed them. */
  ResourceOwnerChanged: {
    schemaVersion: 1,
    data: z.strictObject({
      resourceId: z.uuid(),
      ownerUserId: z.uuid(),
      previousOwnerUserId: z.uuid(),
      cause: departureCauseSchema,
      changedAt: at,
    }),
  },
  ResourceRemoved: {
    schemaVersion: 1,
    data: z.strictObject({
      resourceId: z.uuid(),
      removedBy: byUser,
      removedByService: z.string().min(1).nullable(),
      removedAt: at,
    }),
  },
};

export const resourceEvents = defineEventCatalog(resourceEventDefinitions);
export type ResourceEvent = EventOf<typeof resourceEventDefinitions>;

/**
 * Whether a project's history (the events of its stream) shows a project of this organization
 * that is not deleted: how the services that put things in projects (resources, keys) check the
 * project a write names, from its stream rather than a read model that may lag.
 */
export function isLiveProjectOf(
  history: readonly ResourceEvent[],
  organizationId: string,
): boolean {
  const created = history.find((event) => event.type === 'ProjectCreated');
  const deleted = history.some((event) => event.type === 'ProjectDeleted');
  return created?.data.organizationId === organizationId && !deleted;
}
