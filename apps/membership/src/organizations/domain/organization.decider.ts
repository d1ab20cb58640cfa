import type {
  MemberJoined,
  OrganizationCreated,
  OrganizationEvent,
  OrganizationPlan,
  OrganizationRole,
} from '@orgplane/contracts';
import { ServiceError, type Decider } from '@orgplane/util';
import { organizationSlug } from './organization-slug';

export type Organization =
  | { status: 'nonexistent' }
  | {
      status: 'active';
      id: string;
      name: string;
      slug: string;
      plan: OrganizationPlan;
      createdAt: string;
      members: Readonly<Record<string, OrganizationRole>>;
    };

export interface CreateOrganization {
  type: 'CreateOrganization';
  data: { organizationId: string; name: string; createdBy: string };
  metadata: { now: Date };
}

export type OrganizationCommand = CreateOrganization;

export const ORGANIZATION_NAME_MAX_LENGTH = 100;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export function initialState(): Organization {
  return { status: 'nonexistent' };
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
  const name = validName(command.data.name);
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

function validName(raw: string): string {
  const name = raw.trim();
  const length = [...name].length;
  if (length === 0) throw ServiceError.validation({ name: ['Must not be empty'] });
  // Control characters are invisible in every listing, and PostgreSQL cannot store U+0000.
  if (CONTROL_CHARACTERS.test(name)) {
    throw ServiceError.validation({ name: ['Must not contain control characters'] });
  }
  if (length > ORGANIZATION_NAME_MAX_LENGTH) {
    throw ServiceError.validation({
      name: [`Must be at most ${ORGANIZATION_NAME_MAX_LENGTH} characters`],
    });
  }
  return name;
}

export function decide(command: OrganizationCommand, state: Organization): OrganizationEvent[] {
  switch (command.type) {
    case 'CreateOrganization':
      return createOrganization(command, state);
    default: {
      const unknown: never = command.type;
      throw new Error(`Unknown command ${String(unknown)}`);
    }
  }
}

export function evolve(state: Organization, event: OrganizationEvent): Organization {
  switch (event.type) {
    case 'OrganizationCreated': {
      const { organizationId, name, slug, plan, createdAt } = event.data;
      return { status: 'active', id: organizationId, name, slug, plan, createdAt, members: {} };
    }
    case 'MemberJoined':
      if (state.status !== 'active') return state;
      return { ...state, members: { ...state.members, [event.data.userId]: event.data.role } };
    default:
      return state;
  }
}

export const organizationDecider: Decider<OrganizationCommand, Organization, OrganizationEvent> = {
  initialState,
  decide,
  evolve,
};
