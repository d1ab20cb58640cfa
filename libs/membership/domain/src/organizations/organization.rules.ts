import type {
  MemberJoined,
  OrganizationCreated,
  OrganizationEventOfType,
  OrganizationSettings,
} from '@orgplane/contracts';
import { ServiceError, validDisplayName } from '@orgplane/util';
import { actingAdmin, type CommandMetadata, type Organization } from './organization';
import { organizationSlug } from './organization-slug';

export interface CreateOrganization {
  type: 'CreateOrganization';
  data: { organizationId: string; name: string; createdBy: string };
  metadata: CommandMetadata;
}

/** Renames, changes settings, or both; settings not named keep their value. */
export interface UpdateOrganization {
  type: 'UpdateOrganization';
  data: { actorId: string; name?: string; settings?: Partial<OrganizationSettings> };
  metadata: CommandMetadata;
}

export interface DeleteOrganization {
  type: 'DeleteOrganization';
  data: { actorId: string };
  metadata: CommandMetadata;
}

/** The creator becomes the organization's first Admin. */
export function createOrganization(
  command: CreateOrganization,
  state: Organization,
): [OrganizationCreated, MemberJoined] {
  if (state.status !== 'nonexistent') {
    throw ServiceError.conflict('organization_exists', 'This organization already exists');
  }
  const { organizationId, createdBy } = command.data;
  const name = validDisplayName(command.data.name);
  const at = command.metadata.now.toISOString();
  return [
    {
      type: 'OrganizationCreated',
      data: {
        organizationId,
        name,
        slug: organizationSlug(name, organizationId),
        plan: 'free',
        createdBy,
        createdAt: at,
      },
    },
    {
      type: 'MemberJoined',
      data: { organizationId, userId: createdBy, role: 'admin', joinedAt: at },
    },
  ];
}

/**
 * Records only what changes: the same name, or settings equal to the current ones, add nothing.
 * The slug stays as it was: links to the organization keep working after a rename.
 */
export function updateOrganization(
  command: UpdateOrganization,
  state: Organization,
): OrganizationEventOfType<'OrganizationRenamed' | 'OrganizationSettingsChanged'>[] {
  const { actorId, name, settings } = command.data;
  const organization = actingAdmin(state, actorId);
  const at = command.metadata.now.toISOString();
  const events: OrganizationEventOfType<'OrganizationRenamed' | 'OrganizationSettingsChanged'>[] =
    [];
  if (name !== undefined) {
    const newName = validDisplayName(name);
    if (newName !== organization.name) {
      events.push({
        type: 'OrganizationRenamed',
        data: { organizationId: organization.id, name: newName, renamedBy: actorId, renamedAt: at },
      });
    }
  }
  if (settings) {
    const current = organization.settings;
    const merged: OrganizationSettings = { ...current, ...settings };
    const keys = Object.keys(merged) as (keyof OrganizationSettings)[];
    if (keys.some((key) => merged[key] !== current[key])) {
      events.push({
        type: 'OrganizationSettingsChanged',
        data: {
          organizationId: organization.id,
          settings: merged,
          changedBy: actorId,
          changedAt: at,
        },
      });
    }
  }
  return events;
}

export function deleteOrganization(
  command: DeleteOrganization,
  state: Organization,
): OrganizationEventOfType<'OrganizationDeleted'>[] {
  const { actorId } = command.data;
  const organization = actingAdmin(state, actorId);
  return [
    {
      type: 'OrganizationDeleted',
      data: {
        organizationId: organization.id,
        deletedBy: actorId,
        deletedAt: command.metadata.now.toISOString(),
      },
    },
  ];
}
