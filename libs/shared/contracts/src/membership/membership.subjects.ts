/** Request/reply subjects the membership service answers (queue group `membership`). */
export const MEMBERSHIP_SUBJECTS = {
  createOrganization: 'membership.v1.createOrganization',
  listMyOrganizations: 'membership.v1.listMyOrganizations',
  getOrganization: 'membership.v1.getOrganization',
  updateOrganization: 'membership.v1.updateOrganization',
  deleteOrganization: 'membership.v1.deleteOrganization',
  switchActiveOrganization: 'membership.v1.switchActiveOrganization',
  listMembers: 'membership.v1.listMembers',
  changeMemberRole: 'membership.v1.changeMemberRole',
  removeMember: 'membership.v1.removeMember',
  leaveOrganization: 'membership.v1.leaveOrganization',
  createInvitation: 'membership.v1.createInvitation',
  listInvitations: 'membership.v1.listInvitations',
  revokeInvitation: 'membership.v1.revokeInvitation',
  resendInvitation: 'membership.v1.resendInvitation',
  listMyInvitations: 'membership.v1.listMyInvitations',
  acceptInvitation: 'membership.v1.acceptInvitation',
  getAccess: 'membership.v1.getAccess',
  getPolicy: 'membership.v1.getPolicy',
  health: 'membership.v1.health',
  /** published to every gateway (no queue group): see AccessChangedMessage */
  accessChanged: 'membership.v1.events.accessChanged',
} as const;
