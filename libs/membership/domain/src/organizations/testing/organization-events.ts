import type {
  MemberJoined,
  OrganizationCreated,
  OrganizationEventOfType,
  OrganizationRole,
} from '@orgplane/contracts';
import { ServiceError, type ErrorKind } from '@orgplane/util';

/** Shared givens of the organization decider's specifications. */
export const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
/** the creator, an Admin */
export const ada = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
export const bob = '0b5e5c1e-2a53-4b8e-9a8e-8d1c0f6f1a01';
export const cyd = '5d2b0f7c-6a4e-4c1b-8f0e-3b9a7c2d4e02';
export const now = new Date('2026-03-01T12:00:00.000Z');

export function daysAfter(start: Date, days: number): Date {
  return new Date(start.getTime() + days * 24 * 60 * 60 * 1000);
}

export const created: OrganizationCreated = {
  type: 'OrganizationCreated',
  data: {
    organizationId,
    name: 'Acme Inc.',
    slug: 'acme-inc-3fa85f64',
    plan: 'free',
    createdBy: ada,
    createdAt: now.toISOString(),
  },
};

export function joined(
  userId: string,
  role: OrganizationRole = 'member',
  joinedAt = now,
): MemberJoined {
  return {
    type: 'MemberJoined',
    data: { organizationId, userId, role, joinedAt: joinedAt.toISOString() },
  };
}

/** Acme with Ada as its only Admin. */
export const acme = [created, joined(ada, 'admin')];

export const deleted: OrganizationEventOfType<'OrganizationDeleted'> = {
  type: 'OrganizationDeleted',
  data: { organizationId, deletedBy: ada, deletedAt: now.toISOString() },
};

/** `thenThrows` check: a ServiceError of this kind and code. */
export function refusedWith(kind: ErrorKind, code: string) {
  return (error: Error) => {
    expect(error).toBeInstanceOf(ServiceError);
    const { kind: actualKind, code: actualCode } = error as ServiceError;
    expect({ kind: actualKind, code: actualCode }).toEqual({ kind, code });
  };
}
