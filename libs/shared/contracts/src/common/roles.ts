/** The roles a member has in an organization (SPEC "Organizations and roles"). */
export const ORGANIZATION_ROLES = ['admin', 'member'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];
