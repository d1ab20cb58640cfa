import type { OrganizationEvent, OrganizationRole } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import {
  invitationStatus,
  type AcceptInvitation,
  type CreateInvitation,
  type ResendInvitation,
  type RevokeInvitation,
} from './invitations.rules';
import { organizationDecider } from './organization.decider';
import {
  acme,
  ada,
  bob,
  daysAfter,
  joined,
  now,
  organizationId,
  refusedWith,
} from './testing/organization-events';

const spec = deciderSpecification(organizationDecider);
const invitationId = '9a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';
const secondInvitationId = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const email = 'bob@example.com';
const inAWeek = daysAfter(now, 7);

function invite(data: Partial<CreateInvitation['data']> = {}, at = now): CreateInvitation {
  return {
    type: 'CreateInvitation',
    data: { actorId: ada, invitationId, email, role: 'member', usersWithEmail: [], ...data },
    metadata: { now: at },
  };
}

const revoke = (at = now, actorId = ada): RevokeInvitation => ({
  type: 'RevokeInvitation',
  data: { actorId, invitationId },
  metadata: { now: at },
});

const resend = (at = now, expiresInDays?: number): ResendInvitation => ({
  type: 'ResendInvitation',
  data: { actorId: ada, invitationId, expiresInDays },
  metadata: { now: at },
});

function accept(data: Partial<AcceptInvitation['data']> = {}, at = now): AcceptInvitation {
  return {
    type: 'AcceptInvitation',
    data: { invitationId, userId: bob, email, emailVerified: true, ...data },
    metadata: { now: at },
  };
}

function invited({
  id = invitationId,
  role = 'member' as OrganizationRole,
  at = now,
  days = 7,
} = {}): OrganizationEvent {
  return {
    type: 'InvitationCreated',
    data: {
      organizationId,
      invitationId: id,
      email,
      role,
      invitedBy: ada,
      createdAt: at.toISOString(),
      expiresAt: daysAfter(at, days).toISOString(),
    },
  };
}

const revoked: OrganizationEvent = {
  type: 'InvitationRevoked',
  data: { organizationId, invitationId, revokedBy: ada, revokedAt: now.toISOString() },
};

const accepted: OrganizationEvent = {
  type: 'InvitationAccepted',
  data: { organizationId, invitationId, userId: bob, acceptedAt: now.toISOString() },
};

const pendingInvitation = [...acme, invited()];

describe('CreateInvitation', () => {
  it('invites the lowercased email for 7 days by default', () => {
    spec
      .given(acme)
      .when(invite({ email: 'Bob@Example.COM' }))
      .then([invited()]);
  });

  it('takes another lifetime', () => {
    spec
      .given(acme)
      .when(invite({ role: 'admin', expiresInDays: 30 }))
      .then([invited({ role: 'admin', days: 30 })]);
  });

  it('refuses a second pending invitation for the same email', () => {
    spec
      .given(pendingInvitation)
      .when(invite({ invitationId: secondInvitationId, email: 'BOB@example.com' }))
      .thenThrows(refusedWith('conflict', 'invitation_pending'));
  });

  it('invites again once the previous invitation expired or was revoked', () => {
    const again = invite({ invitationId: secondInvitationId }, inAWeek);
    for (const given of [pendingInvitation, [...pendingInvitation, revoked]]) {
      spec
        .given(given)
        .when(again)
        .then([invited({ id: secondInvitationId, at: inAWeek })]);
    }
  });

  it('refuses to invite someone who is a member already', () => {
    spec
      .given([...acme, joined(bob)])
      .when(invite({ usersWithEmail: [bob] }))
      .thenThrows(refusedWith('conflict', 'already_member'));
  });

  it('is for Admins only', () => {
    spec
      .given([...acme, joined(bob)])
      .when(invite({ actorId: bob, email: 'cyd@example.com' }))
      .thenThrows(refusedWith('forbidden', 'admin_required'));
  });
});

describe('invitationStatus', () => {
  const open = { expiresAt: inAWeek.toISOString(), acceptedAt: null, revokedAt: null };

  it('is pending until the expiry, expired from then on', () => {
    expect(invitationStatus(open, new Date(inAWeek.getTime() - 1))).toBe('pending');
    expect(invitationStatus(open, inAWeek)).toBe('expired');
  });

  it('is accepted or revoked once recorded, whatever the clock says', () => {
    const later = daysAfter(now, 100);
    expect(invitationStatus({ ...open, acceptedAt: now.toISOString() }, later)).toBe('accepted');
    expect(invitationStatus({ ...open, revokedAt: now.toISOString() }, later)).toBe('revoked');
  });
});

describe('RevokeInvitation', () => {
  it('revokes a pending invitation', () => {
    spec.given(pendingInvitation).when(revoke()).then([revoked]);
  });

  it('refuses an invitation that is no longer pending', () => {
    for (const given of [
      [...pendingInvitation, revoked],
      [...pendingInvitation, accepted],
    ]) {
      spec
        .given(given)
        .when(revoke())
        .thenThrows(refusedWith('conflict', 'invitation_not_pending'));
    }
    spec
      .given(pendingInvitation)
      .when(revoke(inAWeek))
      .thenThrows(refusedWith('conflict', 'invitation_not_pending'));
  });

  it('does not find an unknown invitation', () => {
    spec.given(acme).when(revoke()).thenThrows(refusedWith('not_found', 'not_found'));
  });

  it('is for Admins only', () => {
    spec
      .given([...pendingInvitation, joined(bob)])
      .when(revoke(now, bob))
      .thenThrows(refusedWith('forbidden', 'admin_required'));
  });
});

describe('ResendInvitation', () => {
  const resent = (at: Date, expiresAt: Date): OrganizationEvent => ({
    type: 'InvitationResent',
    data: {
      organizationId,
      invitationId,
      resentBy: ada,
      resentAt: at.toISOString(),
      expiresAt: expiresAt.toISOString(),
    },
  });

  it('gives a pending invitation a fresh lifetime', () => {
    const later = daysAfter(now, 3);
    spec
      .given(pendingInvitation)
      .when(resend(later))
      .then([resent(later, daysAfter(later, 7))]);
  });

  it('brings an expired invitation back, for the lifetime asked', () => {
    const later = daysAfter(now, 10);
    spec
      .given(pendingInvitation)
      .when(resend(later, 2))
      .then([resent(later, daysAfter(later, 2))]);
  });

  it('refuses accepted and revoked invitations', () => {
    for (const given of [
      [...pendingInvitation, revoked],
      [...pendingInvitation, accepted],
    ]) {
      spec
        .given(given)
        .when(resend())
        .thenThrows(refusedWith('conflict', 'invitation_not_pending'));
    }
  });

  it('does not revive an expired invitation while another is pending for the email', () => {
    const later = daysAfter(now, 10);
    const second = invited({ id: secondInvitationId, at: later });
    spec
      .given([...pendingInvitation, second])
      .when(resend(later))
      .thenThrows(refusedWith('conflict', 'invitation_pending'));
  });
});

describe('AcceptInvitation', () => {
  it('records the acceptance and the new member with the invitation’s role, together', () => {
    spec
      .given([...acme, invited({ role: 'admin' })])
      .when(accept({ email: 'Bob@example.com' }))
      .then([
        {
          type: 'InvitationAccepted',
          data: { organizationId, invitationId, userId: bob, acceptedAt: now.toISOString() },
        },
        {
          type: 'MemberJoined',
          data: {
            organizationId,
            userId: bob,
            role: 'admin',
            joinedAt: now.toISOString(),
            invitationId,
          },
        },
      ]);
  });

  it('refuses another email', () => {
    spec
      .given(pendingInvitation)
      .when(accept({ email: 'mallory@example.com' }))
      .thenThrows(refusedWith('forbidden', 'email_mismatch'));
  });

  it('refuses an email the identity provider has not verified, or no known email', () => {
    spec
      .given(pendingInvitation)
      .when(accept({ emailVerified: false }))
      .thenThrows(refusedWith('forbidden', 'email_not_verified'));
    spec
      .given(pendingInvitation)
      .when(accept({ email: null, emailVerified: false }))
      .thenThrows(refusedWith('forbidden', 'email_not_verified'));
  });

  it('refuses an expired invitation', () => {
    spec
      .given(pendingInvitation)
      .when(accept({}, inAWeek))
      .thenThrows(refusedWith('conflict', 'invitation_expired'));
  });

  it('refuses a revoked or already accepted invitation', () => {
    for (const given of [
      [...pendingInvitation, revoked],
      [...pendingInvitation, accepted],
    ]) {
      spec
        .given(given)
        .when(accept())
        .thenThrows(refusedWith('conflict', 'invitation_not_pending'));
    }
  });

  it('refuses someone who is a member already', () => {
    spec
      .given([...pendingInvitation, joined(bob)])
      .when(accept())
      .thenThrows(refusedWith('conflict', 'already_member'));
  });

  it('does not find an unknown invitation', () => {
    spec.given(acme).when(accept()).thenThrows(refusedWith('not_found', 'not_found'));
  });
});
