import { DEFAULT_WORKSPACE_QUOTA_BYTES, type ResourceEvent } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import type { ServiceError } from '@orgplane/util';
import type { OrganizationActor } from '../common/organization-actor';
import { workspaceDecider, type WorkspaceCommand } from './workspace.decider';
import { newWorkspaceSlug } from './workspace-slug';

const spec = deciderSpecification(workspaceDecider);

const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const workspaceId = 'c56a4180-65aa-42ec-a945-5fd21dec0538';
const resourceId = '9b2f8a1e-3c4d-4e5f-8a6b-7c8d9e0f1a2b';
const now = new Date('2026-03-01T12:00:00.000Z');
const at = now.toISOString();
const metadata = { now };
const ada: OrganizationActor = {
  userId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  organizationId,
  role: 'admin',
};
const bob: OrganizationActor = {
  ...ada,
  userId: '0b5e5c1e-2a53-4b8e-9a8e-8d1c0f6f1a01',
  role: 'member',
};
const cyd: OrganizationActor = { ...bob, userId: '5d2b0f7c-6a4e-4c1b-8f0e-3b9a7c2d4e02' };

const code = (expected: string) => (error: ServiceError) => expect(error.code).toBe(expected);

const bobsTeam: ResourceEvent = {
  type: 'WorkspaceCreated',
  data: {
    workspaceId,
    organizationId,
    name: 'Team',
    slug: 'team',
    isPersonal: false,
    ownerUserId: bob.userId,
    quotaBytes: DEFAULT_WORKSPACE_QUOTA_BYTES,
    createdBy: bob.userId,
    createdAt: at,
  },
};
const bobsPersonal: ResourceEvent = {
  type: 'WorkspaceCreated',
  data: {
    workspaceId,
    organizationId,
    name: 'Personal',
    slug: 'personal-0b5e5c1e',
    isPersonal: true,
    ownerUserId: bob.userId,
    quotaBytes: DEFAULT_WORKSPACE_QUOTA_BYTES,
    createdBy: null,
    createdAt: at,
  },
};

const create = (actor: OrganizationActor): WorkspaceCommand => ({
  type: 'CreateWorkspace',
  data: { workspaceId, actor, name: ' Team ', slug: 'team' },
  metadata,
});
const createPersonal: WorkspaceCommand = {
  type: 'CreatePersonalWorkspace',
  data: { workspaceId, organizationId, userId: bob.userId },
  metadata,
};
const remove = (actor: OrganizationActor, referencedBy: string[] = [], force = false) =>
  ({ type: 'DeleteWorkspace', data: { actor, force, referencedBy }, metadata }) as const;
const deleted = (detachedFrom: string[]): ResourceEvent => ({
  type: 'WorkspaceDeleted',
  data: { workspaceId, organizationId, detachedFrom, deletedBy: bob.userId, deletedAt: at },
});

describe('creating', () => {
  it('takes a slug once per organization, and again once it is free', () => {
    spec.given([]).when(create(bob)).then([bobsTeam]);
    spec.given([bobsTeam]).when(create(cyd)).thenThrows(code('slug_taken'));
    spec
      .given([bobsTeam, deleted([])])
      .when(create(bob))
      .then([bobsTeam]);
  });

  it('gives a member their Personal workspace once, however often they join', () => {
    spec.given([]).when(createPersonal).then([bobsPersonal]);
    spec.given([bobsPersonal]).when(createPersonal).then([]);
  });
});

describe('updating', () => {
  it('is for the creator or an Admin; a Personal workspace is hidden from other members', () => {
    const rename = (actor: OrganizationActor): WorkspaceCommand => ({
      type: 'UpdateWorkspace',
      data: { actor, name: 'Renamed' },
      metadata,
    });
    spec.given([bobsTeam]).when(rename(cyd)).thenThrows(code('owner_or_admin_required'));
    spec.given([bobsPersonal]).when(rename(cyd)).thenThrows(code('not_found'));
    spec
      .given([bobsPersonal])
      .when(rename(ada))
      .then([
        {
          type: 'WorkspaceUpdated',
          data: {
            workspaceId,
            name: 'Renamed',
            quotaBytes: DEFAULT_WORKSPACE_QUOTA_BYTES,
            updatedBy: ada.userId,
            updatedAt: at,
          },
        },
      ]);
  });
});

describe('deleting', () => {
  it('refuses one in use unless forced, which detaches it', () => {
    spec
      .given([bobsTeam])
      .when(remove(bob, [resourceId]))
      .thenThrows(code('WORKSPACE_IN_USE'));
    spec
      .given([bobsTeam])
      .when(remove(bob, [resourceId], true))
      .then([deleted([resourceId])]);
    spec
      .given([bobsTeam])
      .when(remove(bob))
      .then([deleted([])]);
  });

  it('never deletes a Personal workspace', () => {
    spec.given([bobsPersonal]).when(remove(bob)).thenThrows(code('personal_workspace'));
    spec.given([bobsPersonal]).when(remove(cyd)).thenThrows(code('not_found'));
  });
});

describe('newWorkspaceSlug', () => {
  it('makes one of the name, or checks the one given', () => {
    expect(newWorkspaceSlug(' Données  partagées! ', undefined)).toBe('donnees-partagees');
    expect(newWorkspaceSlug('Anything', 'tmp-1')).toBe('tmp-1');
    for (const [name, slug] of [
      ['日本語', undefined],
      ['Fine', 'Not-Fine'],
      ['Fine', '-edge'],
      ['Fine', 'a'.repeat(101)],
    ] as const) {
      expect(() => newWorkspaceSlug(name, slug)).toThrow(
        expect.objectContaining({ kind: 'validation' }),
      );
    }
    expect(() => newWorkspaceSlug('Personal 0b5e5c1e', undefined)).toThrow(
      expect.objectContaining({ code: 'slug_taken' }),
    );
  });
});
