export {
  adminRequired,
  existingOrganization,
  memberOf,
  usersWhoseAccessChanged,
  type ExistingOrganization,
  type Invitation,
  type Member,
  type Organization,
} from './organizations/organization';
export {
  organizationDecider,
  type OrganizationCommand,
} from './organizations/organization.decider';
export { invitationStatus, normalizeEmail } from './organizations/invitations.rules';
export { memberPreferencesDecider } from './preferences/member-preferences.decider';
