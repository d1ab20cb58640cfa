import { departureOf } from './departure';

const id = 'e2a4c6f8-1b3d-4f5a-8c7e-9d0f1a2b3c4d';
const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const userId = '0b5e5c1e-2a53-4b8e-9a8e-8d1c0f6f1a01';
const at = '2026-03-01T12:00:00.000Z';

describe('departureOf', () => {
  it('is the member for a removal or a leave, everyone for a deletion, naming the event', () => {
    expect(
      departureOf({
        id,
        type: 'MemberRemoved',
        data: { organizationId, userId, role: 'member', removedBy: null, removedAt: at },
      }),
    ).toEqual({
      organizationId,
      userId,
      cause: { reason: 'member_removed', eventId: id, eventType: 'MemberRemoved' },
    });
    expect(
      departureOf({
        id,
        type: 'MemberLeft',
        data: { organizationId, userId, role: 'admin', leftAt: at },
      }),
    ).toEqual({
      organizationId,
      userId,
      cause: { reason: 'member_left', eventId: id, eventType: 'MemberLeft' },
    });
    expect(
      departureOf({
        id,
        type: 'OrganizationDeleted',
        data: { organizationId, deletedBy: userId, deletedAt: at },
      }),
    ).toEqual({
      organizationId,
      userId: null,
      cause: { reason: 'organization_deleted', eventId: id, eventType: 'OrganizationDeleted' },
    });
  });

  it('is none for other membership events', () => {
    expect(
      departureOf({
        id,
        type: 'MemberJoined',
        data: { organizationId, userId, role: 'member', joinedAt: at },
      }),
    ).toBeNull();
  });
});
