import type {
  OrganizationPlan,
  OrganizationRole,
  OrganizationSettings,
  OrganizationView,
} from '@orgplane/contracts';

/** The one mapping to the organization object of the API, from the write side or a read model. */
export function toOrganizationView(
  organization: {
    id: string;
    name: string;
    slug: string;
    plan: OrganizationPlan;
    settings: OrganizationSettings;
    createdAt: string | Date;
  },
  callerRole: OrganizationRole,
): OrganizationView {
  return {
    id: organization.id,
    name: organization.name,
    slug: organization.slug,
    plan: organization.plan,
    // Enterprise comes with an enterprise plan, which has no way in yet.
    enterprise: false,
    role: callerRole,
    orgRole: callerRole,
    settings: organization.settings,
    createdAt: new Date(organization.createdAt).toISOString(),
  };
}
