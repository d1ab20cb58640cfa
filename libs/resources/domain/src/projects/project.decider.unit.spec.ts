import { defaultProjectIdOf, type ResourceEvent } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import type { ServiceError } from '@orgplane/util';
import type { OrganizationActor } from '../common/organization-actor';
import { projectDecider, type ProjectCommand } from './project.decider';

const spec = deciderSpecification(projectDecider);

const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const projectId = 'c56a4180-65aa-42ec-a945-5fd21dec0538';
const defaultProjectId = defaultProjectIdOf(organizationId);
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
const stranger: OrganizationActor = {
  ...ada,
  organizationId: '5d2b0f7c-6a4e-4c1b-8f0e-3b9a7c2d4e02',
};

const created: ResourceEvent = {
  type: 'ProjectCreated',
  data: {
    projectId,
    organizationId,
    name: 'Research',
    color: '#aabbcc',
    isDefault: false,
    createdBy: ada.userId,
    createdAt: at,
  },
};
const defaultCreated: ResourceEvent = {
  type: 'ProjectCreated',
  data: {
    projectId: defaultProjectId,
    organizationId,
    name: 'Default',
    color: null,
    isDefault: true,
    createdBy: null,
    createdAt: at,
  },
};

const code = (expected: string) => (error: ServiceError) => expect(error.code).toBe(expected);
const createDefault: ProjectCommand = {
  type: 'CreateDefaultProject',
  data: { projectId: defaultProjectId, organizationId },
  metadata,
};
const update = (actor: OrganizationActor, data: { name?: string; color?: string | null }) =>
  ({ type: 'UpdateProject', data: { actor, ...data }, metadata }) as const;
const remove = (actor: OrganizationActor) =>
  ({ type: 'DeleteProject', data: { actor }, metadata }) as const;

describe('CreateProject', () => {
  it('trims the name and lowercases the colour, Admins only', () => {
    const command = (actor: OrganizationActor): ProjectCommand => ({
      type: 'CreateProject',
      data: { projectId, actor, name: '  Research ', color: '#AABBCC' },
      metadata,
    });
    spec.given([]).when(command(ada)).then([created]);
    spec.given([]).when(command(bob)).thenThrows(code('admin_required'));
  });
});

describe('CreateDefaultProject', () => {
  it('creates the default project once: deciding again records nothing', () => {
    spec.given([]).when(createDefault).then([defaultCreated]);
    spec.given([defaultCreated]).when(createDefault).then([]);
  });
});

describe('UpdateProject', () => {
  it('records only a change, the default project’s too', () => {
    spec
      .given([defaultCreated])
      .when(update(ada, { name: 'Main' }))
      .then([
        {
          type: 'ProjectUpdated',
          data: {
            projectId: defaultProjectId,
            name: 'Main',
            color: null,
            updatedBy: ada.userId,
            updatedAt: at,
          },
        },
      ]);
    spec
      .given([created])
      .when(update(ada, { name: 'Research', color: '#AABBCC' }))
      .then([]);
  });

  it('is a 403 to a Member and a 404 outside the organization', () => {
    spec
      .given([created])
      .when(update(bob, { name: 'X' }))
      .thenThrows(code('admin_required'));
    spec
      .given([created])
      .when(update(stranger, { name: 'X' }))
      .thenThrows(code('not_found'));
  });
});

describe('DeleteProject', () => {
  it('moves what the project grouped to the default project', () => {
    spec
      .given([created])
      .when(remove(ada))
      .then([
        {
          type: 'ProjectDeleted',
          data: {
            projectId,
            organizationId,
            defaultProjectId,
            deletedBy: ada.userId,
            deletedAt: at,
          },
        },
      ]);
  });

  it('never deletes the default project, nor one already deleted', () => {
    spec.given([defaultCreated]).when(remove(ada)).thenThrows(code('default_project'));
    const deleted: ResourceEvent = {
      type: 'ProjectDeleted',
      data: { projectId, organizationId, defaultProjectId, deletedBy: ada.userId, deletedAt: at },
    };
    spec.given([created, deleted]).when(remove(ada)).thenThrows(code('not_found'));
  });
});
