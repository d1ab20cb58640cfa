import type { MemberJoined, OrganizationCreated } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import { ServiceError } from '@orgplane/util';
import { organizationDecider, type CreateOrganization } from './organization.decider';
import { organizationSlug } from './organization-slug';

const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const creatorId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const now = new Date('2026-03-01T12:00:00.000Z');

const spec = deciderSpecification(organizationDecider);

function create(name: string): CreateOrganization {
  return {
    type: 'CreateOrganization',
    data: { organizationId, name, createdBy: creatorId },
    metadata: { now },
  };
}

const created: OrganizationCreated = {
  type: 'OrganizationCreated',
  data: {
    organizationId,
    name: 'Acme Inc.',
    slug: 'acme-inc-3fa85f64',
    plan: 'free',
    createdBy: creatorId,
    createdAt: now.toISOString(),
  },
};
const creatorJoined: MemberJoined = {
  type: 'MemberJoined',
  data: { organizationId, userId: creatorId, role: 'admin', joinedAt: now.toISOString() },
};

function isValidationOf(field: string) {
  return (error: ServiceError) => {
    expect(error).toBeInstanceOf(ServiceError);
    expect(error.kind).toBe('validation');
    expect(Object.keys(error.details?.fields as object)).toEqual([field]);
  };
}

describe('CreateOrganization', () => {
  it('creates the organization and makes its creator an Admin', () => {
    spec.given([]).when(create('Acme Inc.')).then([created, creatorJoined]);
  });

  it('trims the name', () => {
    spec.given([]).when(create('  Acme Inc.\n')).then([created, creatorJoined]);
  });

  it('refuses an empty or blank name', () => {
    spec.given([]).when(create('   ')).thenThrows(isValidationOf('name'));
  });

  it('refuses control characters in the name', () => {
    for (const name of ['Ac\u0000me', 'Ac\nme', 'Ac\u007fme', 'Ac\u009bme']) {
      spec.given([]).when(create(name)).thenThrows(isValidationOf('name'));
    }
  });

  it('accepts 100 characters and refuses 101', () => {
    const longest = 'é'.repeat(100);
    spec
      .given([])
      .when(create(longest))
      .then([
        {
          ...created,
          data: { ...created.data, name: longest, slug: organizationSlug(longest, organizationId) },
        },
        creatorJoined,
      ]);
    spec
      .given([])
      .when(create(`${longest}x`))
      .thenThrows(isValidationOf('name'));
  });

  it('refuses to create an organization twice', () => {
    spec
      .given([created, creatorJoined])
      .when(create('Acme Inc.'))
      .thenThrows(
        (error: ServiceError) => error.kind === 'conflict' && error.code === 'organization_exists',
      );
  });
});

describe('organizationSlug', () => {
  it.each([
    ['Acme Inc.', 'acme-inc-3fa85f64'],
    ['  Ça va, Zürich!  ', 'ca-va-zurich-3fa85f64'],
    ['日本語', 'org-3fa85f64'],
    ['a'.repeat(80), `${'a'.repeat(48)}-3fa85f64`],
  ])('derives %j → %j', (name, slug) => {
    expect(organizationSlug(name, organizationId)).toBe(slug);
  });
});
