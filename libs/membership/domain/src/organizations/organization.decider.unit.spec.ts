import { DEFAULT_ORGANIZATION_SETTINGS } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import { foldEvents, ServiceError } from '@orgplane/util';
import { usersWhoseAccessChanged } from './organization';
import { organizationDecider, type OrganizationCommand } from './organization.decider';
import type { CreateOrganization, UpdateOrganization } from './organization.rules';
import { organizationSlug } from './organization-slug';
import {
  acme,
  ada,
  bob,
  created,
  deleted,
  joined,
  now,
  organizationId,
  refusedWith,
} from './testing/organization-events';

const spec = deciderSpecification(organizationDecider);
const invitationId = '9a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';
const metadata = { now };

function create(name: string): CreateOrganization {
  return { type: 'CreateOrganization', data: { organizationId, name, createdBy: ada }, metadata };
}

function update(
  data: Omit<UpdateOrganization['data'], 'actorId'>,
  actorId = ada,
): UpdateOrganization {
  return { type: 'UpdateOrganization', data: { actorId, ...data }, metadata };
}

const creatorJoined = joined(ada, 'admin');

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

  it('refuses half a surrogate pair, and keeps whole ones', () => {
    for (const name of ['\ud800', '\udfff Acme', 'Ac\ud83dme']) {
      spec.given([]).when(create(name)).thenThrows(isValidationOf('name'));
    }
    const [organizationCreated] = organizationDecider.decide(create('Acme 🚀'), {
      status: 'nonexistent',
    });
    expect(organizationCreated.data).toMatchObject({ name: 'Acme 🚀' });
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
      .thenThrows(refusedWith('conflict', 'organization_exists'));
  });

  it('starts with the default settings', () => {
    const state = foldEvents(organizationDecider, acme);
    expect(state).toMatchObject({ status: 'active', settings: DEFAULT_ORGANIZATION_SETTINGS });
  });
});

describe('UpdateOrganization', () => {
  const renamed = {
    type: 'OrganizationRenamed' as const,
    data: { organizationId, name: 'Acme Labs', renamedBy: ada, renamedAt: now.toISOString() },
  };

  it('renames, with the name rules of creation', () => {
    spec
      .given(acme)
      .when(update({ name: ' Acme Labs ' }))
      .then([renamed]);
    spec
      .given(acme)
      .when(update({ name: ' ' }))
      .thenThrows(isValidationOf('name'));
  });

  it('merges the settings given into the current ones and records them whole', () => {
    spec
      .given(acme)
      .when(update({ settings: { membersMayRevealOrgSecrets: true } }))
      .then([
        {
          type: 'OrganizationSettingsChanged',
          data: {
            organizationId,
            settings: { membersMayRevealOrgSecrets: true, allowPublicResources: true },
            changedBy: ada,
            changedAt: now.toISOString(),
          },
        },
      ]);
  });

  it('renames and changes settings at once', () => {
    const events = organizationDecider.decide(
      update({ name: 'Acme Labs', settings: { allowPublicResources: false } }),
      foldEvents(organizationDecider, acme),
    );
    expect(events.map((event) => event.type)).toEqual([
      'OrganizationRenamed',
      'OrganizationSettingsChanged',
    ]);
  });

  it('records nothing when nothing changes', () => {
    spec
      .given([...acme, renamed])
      .when(update({ name: 'Acme Labs', settings: DEFAULT_ORGANIZATION_SETTINGS }))
      .then([]);
  });

  it('is for Admins only', () => {
    spec
      .given([...acme, joined(bob)])
      .when(update({ name: 'Bob Inc.' }, bob))
      .thenThrows(refusedWith('forbidden', 'admin_required'));
  });
});

describe('DeleteOrganization', () => {
  it('deletes the organization (Admin)', () => {
    spec
      .given(acme)
      .when({ type: 'DeleteOrganization', data: { actorId: ada }, metadata })
      .then([deleted]);
  });

  it('is for Admins only', () => {
    spec
      .given([...acme, joined(bob)])
      .when({ type: 'DeleteOrganization', data: { actorId: bob }, metadata })
      .thenThrows(refusedWith('forbidden', 'admin_required'));
  });
});

describe('an organization one is not a member of', () => {
  it('is not found, whether it exists or not', () => {
    for (const given of [[], acme]) {
      spec
        .given(given)
        .when(update({ name: 'Mine' }, bob))
        .thenThrows(refusedWith('not_found', 'not_found'));
    }
  });
});

describe('a deleted organization', () => {
  const commands: OrganizationCommand[] = [
    update({ name: 'Again' }),
    { type: 'DeleteOrganization', data: { actorId: ada }, metadata },
    { type: 'ChangeMemberRole', data: { actorId: ada, userId: bob, role: 'admin' }, metadata },
    { type: 'RemoveMember', data: { actorId: ada, userId: bob }, metadata },
    { type: 'LeaveOrganization', data: { userId: bob }, metadata },
    { type: 'SyncMembership', data: { userId: bob, role: 'admin' }, metadata },
    {
      type: 'CreateInvitation',
      data: {
        actorId: ada,
        invitationId,
        email: 'cyd@example.com',
        role: 'member',
        usersWithEmail: [],
      },
      metadata,
    },
    {
      type: 'RevokeInvitation',
      data: { actorId: ada, invitationId },
      metadata,
    },
    {
      type: 'ResendInvitation',
      data: { actorId: ada, invitationId },
      metadata,
    },
    {
      type: 'AcceptInvitation',
      data: {
        invitationId,
        userId: bob,
        email: 'bob@example.com',
        emailVerified: true,
      },
      metadata,
    },
  ];

  it.each(commands.map((command) => [command.type, command]))(
    'refuses %s as not found',
    (_, command) => {
      spec
        .given([...acme, joined(bob, 'admin'), deleted])
        .when(command)
        .thenThrows(refusedWith('not_found', 'not_found'));
    },
  );
});

describe('usersWhoseAccessChanged', () => {
  it('names the members whose membership the events changed', () => {
    const state = foldEvents(organizationDecider, [...acme, joined(bob)]);
    expect(usersWhoseAccessChanged([joined(bob)], state)).toEqual([bob]);
  });

  it('names every former member of a deleted organization', () => {
    const state = foldEvents(organizationDecider, [...acme, joined(bob), deleted]);
    expect(usersWhoseAccessChanged([deleted], state)).toEqual([ada, bob]);
  });

  it('names nobody for a rename', () => {
    const renamed = {
      type: 'OrganizationRenamed' as const,
      data: { organizationId, name: 'B', renamedBy: ada, renamedAt: now.toISOString() },
    };
    expect(usersWhoseAccessChanged([renamed], foldEvents(organizationDecider, acme))).toEqual([]);
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
