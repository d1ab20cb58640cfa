import type { OrganizationEvent } from '@orgplane/contracts';
import type { Decider } from '@orgplane/util';
import {
  acceptInvitation,
  createInvitation,
  resendInvitation,
  revokeInvitation,
  type AcceptInvitation,
  type CreateInvitation,
  type ResendInvitation,
  type RevokeInvitation,
} from './invitations.rules';
import {
  changeMemberRole,
  leaveOrganization,
  removeMember,
  syncMembership,
  type ChangeMemberRole,
  type LeaveOrganization,
  type RemoveMember,
  type SyncMembership,
} from './members.rules';
import { evolve, initialState, type Organization } from './organization';
import {
  createOrganization,
  deleteOrganization,
  updateOrganization,
  type CreateOrganization,
  type DeleteOrganization,
  type UpdateOrganization,
} from './organization.rules';

/**
 * Everything that happens to one organization, its members and its invitations is decided on its
 * one stream: the rules that span them (the last Admin, one pending invitation per email, no
 * invitation into a deleted organization) then hold under concurrent writers.
 */
export type OrganizationCommand =
  | CreateOrganization
  | UpdateOrganization
  | DeleteOrganization
  | ChangeMemberRole
  | RemoveMember
  | LeaveOrganization
  | SyncMembership
  | CreateInvitation
  | RevokeInvitation
  | ResendInvitation
  | AcceptInvitation;

export function decide(command: OrganizationCommand, state: Organization): OrganizationEvent[] {
  switch (command.type) {
    case 'CreateOrganization':
      return createOrganization(command, state);
    case 'UpdateOrganization':
      return updateOrganization(command, state);
    case 'DeleteOrganization':
      return deleteOrganization(command, state);
    case 'ChangeMemberRole':
      return changeMemberRole(command, state);
    case 'RemoveMember':
      return removeMember(command, state);
    case 'LeaveOrganization':
      return leaveOrganization(command, state);
    case 'SyncMembership':
      return syncMembership(command, state);
    case 'CreateInvitation':
      return createInvitation(command, state);
    case 'RevokeInvitation':
      return revokeInvitation(command, state);
    case 'ResendInvitation':
      return resendInvitation(command, state);
    case 'AcceptInvitation':
      return acceptInvitation(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`Unknown command ${(unknown as { type: string }).type}`);
    }
  }
}

export const organizationDecider: Decider<OrganizationCommand, Organization, OrganizationEvent> = {
  initialState,
  decide,
  evolve,
};
