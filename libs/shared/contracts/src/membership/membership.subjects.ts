/** Request/reply subjects the membership service answers (queue group `membership`). */
export const MEMBERSHIP_SUBJECTS = {
  createOrganization: 'membership.v1.createOrganization',
  getOrganization: 'membership.v1.getOrganization',
  health: 'membership.v1.health',
} as const;
