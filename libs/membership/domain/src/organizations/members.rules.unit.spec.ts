import type { OrganizationEvent, OrganizationRole } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import type {
  ChangeMemberRole,
  LeaveOrganization,
  RemoveMember,
  SyncMembership,
} from './members.rules';
import { organizationDecider } from './organization.decider';
import {
  acme,
  ada,
  bob,
  cyd,
  joined,
  now,
  organizationId,
  refusedWith,
} from './testing/organization-events';

const spec = deciderSpecification(organizationDecider);
const metadata = { now };
const at = now.toISOString();

const changeRole = (userId: string, role: OrganizationRole, actorId = ada): ChangeMemberRole => ({
  type: 'ChangeMemberRole',
  data: { actorId, userId, role },
  metadata,
});
const remove = (userId: string, actorId = ada): RemoveMember => ({
  type: 'RemoveMember',
  data: { actorId, userId },
  metadata,
});
const leave = (userId: string): LeaveOrganization => ({
  type: 'LeaveOrganization',
  data: { userId },
  metadata,
});
const sync = (userId: string, role: OrganizationRole | null): SyncMembership => ({
  type: 'SyncMembership',
  data: { userId, role },
  metadata,
});

function roleChanged(
  userId: string,
  role: OrganizationRole,
  changedBy: string | null = ada,
): OrganizationEvent {
  return {
    type: 'MemberRoleChanged',
    data: {
      organizationId,
      userId,
      role,
      previousRole: role === 'admin' ? 'member' : 'admin',
      changedBy,
      changedAt: at,
    },
  };
}

function removed(userId: string, role: OrganizationRole, removedBy: string | null = ada) {
  return {
    type: 'MemberRemoved' as const,
    data: { organizationId, userId, role, removedBy, removedAt: at },
  };
}

const withBobMember = [...acme, joined(bob)];
const withBobAdmin = [...acme, joined(bob, 'admin')];

describe('ChangeMemberRole', () => {
  it('promotes a member to Admin', () => {
    spec
      .given(withBobMember)
      .when(changeRole(bob, 'admin'))
      .then([roleChanged(bob, 'admin')]);
  });

  it('records nothing when the member already has the role', () => {
    spec.given(withBobMember).when(changeRole(bob, 'member')).then([]);
  });

  it('never demotes the last Admin, not even oneself', () => {
    spec
      .given(withBobMember)
      .when(changeRole(ada, 'member'))
      .thenThrows(refusedWith('conflict', 'last_admin'));
  });

  it('demotes an Admin when another remains, oneself included', () => {
    spec
      .given(withBobAdmin)
      .when(changeRole(ada, 'member'))
      .then([roleChanged(ada, 'member')]);
    spec
      .given([...withBobAdmin, roleChanged(ada, 'member', bob)])
      .when(changeRole(bob, 'member', bob))
      .thenThrows(refusedWith('conflict', 'last_admin'));
  });

  it('is for Admins only', () => {
    spec
      .given([...withBobMember, joined(cyd)])
      .when(changeRole(cyd, 'admin', bob))
      .thenThrows(refusedWith('forbidden', 'admin_required'));
  });

  it('does not find a user who is not a member', () => {
    spec
      .given(acme)
      .when(changeRole(bob, 'admin'))
      .thenThrows(refusedWith('not_found', 'not_found'));
  });
});

describe('RemoveMember', () => {
  it('removes a member', () => {
    spec
      .given(withBobMember)
      .when(remove(bob))
      .then([removed(bob, 'member')]);
  });

  it('removes another Admin while one remains', () => {
    spec
      .given(withBobAdmin)
      .when(remove(bob))
      .then([removed(bob, 'admin')]);
  });

  it('goes by the role the stream records, not by what the gateway saw', () => {
    // Bob was demoted a moment ago; the gateway's cache still says Admin.
    spec
      .given([...withBobAdmin, roleChanged(bob, 'member')])
      .when(remove(ada, bob))
      .thenThrows(refusedWith('forbidden', 'admin_required'));
  });

  it('sends Admins who remove themselves to leave', () => {
    spec.given(withBobAdmin).when(remove(ada)).thenThrows(refusedWith('validation', 'use_leave'));
  });

  it('is for Admins only', () => {
    spec
      .given([...withBobMember, joined(cyd)])
      .when(remove(cyd, bob))
      .thenThrows(refusedWith('forbidden', 'admin_required'));
  });

  it('does not find a user who is not a member', () => {
    spec.given(acme).when(remove(bob)).thenThrows(refusedWith('not_found', 'not_found'));
  });
});

describe('LeaveOrganization', () => {
  it('lets a member leave', () => {
    spec
      .given(withBobMember)
      .when(leave(bob))
      .then([
        { type: 'MemberLeft', data: { organizationId, userId: bob, role: 'member', leftAt: at } },
      ]);
  });

  it('lets an Admin leave while another Admin remains', () => {
    spec
      .given(withBobAdmin)
      .when(leave(ada))
      .then([
        { type: 'MemberLeft', data: { organizationId, userId: ada, role: 'admin', leftAt: at } },
      ]);
  });

  it('never lets the last Admin leave', () => {
    spec.given(withBobMember).when(leave(ada)).thenThrows(refusedWith('conflict', 'last_admin'));
  });

  it('does not find the organization for a non-member', () => {
    spec.given(acme).when(leave(bob)).thenThrows(refusedWith('not_found', 'not_found'));
  });
});

describe('SyncMembership (the directory)', () => {
  it('joins a user who is not a member yet', () => {
    spec
      .given(acme)
      .when(sync(bob, 'member'))
      .then([joined(bob)]);
  });

  it('changes the role of a member, by nobody in particular', () => {
    spec
      .given(withBobMember)
      .when(sync(bob, 'admin'))
      .then([roleChanged(bob, 'admin', null)]);
  });

  it('removes a member, by nobody in particular', () => {
    spec
      .given(withBobMember)
      .when(sync(bob, null))
      .then([removed(bob, 'member', null)]);
  });

  it('records nothing when it repeats itself', () => {
    spec.given(withBobMember).when(sync(bob, 'member')).then([]);
    spec.given(acme).when(sync(bob, null)).then([]);
  });

  it('keeps the last Admin too', () => {
    spec
      .given(withBobMember)
      .when(sync(ada, null))
      .thenThrows(refusedWith('conflict', 'last_admin'));
    spec
      .given(withBobMember)
      .when(sync(ada, 'member'))
      .thenThrows(refusedWith('conflict', 'last_admin'));
  });

  it('does not find an organization that does not exist', () => {
    spec.given([]).when(sync(bob, 'member')).thenThrows(refusedWith('not_found', 'not_found'));
  });
});
