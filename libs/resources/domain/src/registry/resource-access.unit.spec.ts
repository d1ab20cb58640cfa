import { decideResourceAccess, type ResourceAccessQuestion } from './resource-access';

const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const [ownerId, otherId] = [
  'c56a4180-65aa-42ec-a945-5fd21dec0538',
  '9b2f1c4e-0d1a-4e7b-8c3d-2a5b6c7d8e9f',
];
const owner = { userId: ownerId, organizationId, role: 'member' as const };
const member = { userId: otherId, organizationId, role: 'member' as const };
const admin = { userId: otherId, organizationId, role: 'admin' as const };
const resource = { organizationId, kind: 'agent' as const, ownerUserId: ownerId };

function ask(question: Partial<ResourceAccessQuestion> & Pick<ResourceAccessQuestion, 'actor'>) {
  return decideResourceAccess({
    kind: 'agent',
    resource: { ...resource, visibility: 'private' },
    action: 'read',
    ...question,
  }).reason;
}

describe('decideResourceAccess', () => {
  it('hides another member’s private resource like an unknown one, of any kind or organization', () => {
    expect(ask({ actor: member })).toBe('not_found');
    expect(ask({ actor: owner, resource: null })).toBe('not_found');
    expect(ask({ actor: owner, kind: 'tool' })).toBe('not_found');
    expect(ask({ actor: { ...admin, organizationId: otherId } })).toBe('not_found');
    const org = { ...resource, visibility: 'org' as const };
    expect(ask({ actor: { ...owner, organizationId: otherId }, resource: org })).toBe('not_found');
  });

  it('lets anyone of another organization read and run a public resource, and change nothing', () => {
    const published = { ...resource, visibility: 'public' as const };
    const outsider = { ...admin, organizationId: otherId };
    const from = (question: Partial<ResourceAccessQuestion>) =>
      ask({ actor: outsider, resource: published, ...question });
    expect(from({})).toBe('public');
    expect(from({ action: 'run' })).toBe('public');
    // its owner acting in another organization is an outsider there too
    expect(from({ actor: { ...owner, organizationId: otherId }, action: 'update' })).toBe(
      'owner_or_admin_required',
    );
    expect(from({ action: 'update' })).toBe('owner_or_admin_required');
    expect(from({ action: 'delete' })).toBe('owner_or_admin_required');
    expect(from({ action: 'publish', visibility: 'private', allowPublicResources: true })).toBe(
      'owner_or_admin_required',
    );
    expect(from({ action: 'publish', visibility: 'public', allowPublicResources: true })).toBe(
      'owner_or_admin_required',
    );
    // the scope still comes first, and the kind asked about still counts
    expect(from({ scopes: ['tool:*'] })).toBe('insufficient_scope');
    expect(from({ kind: 'tool', scopes: ['tool:*'] })).toBe('not_found');
    expect(from({ scopes: ['agent:read'] })).toBe('public');
  });

  it('names why a visible resource may be read', () => {
    expect(ask({ actor: owner })).toBe('owner');
    expect(ask({ actor: admin })).toBe('admin');
    const org = { ...resource, visibility: 'org' as const };
    expect(ask({ actor: member, resource: org, action: 'run' })).toBe('visible_to_members');
    expect(ask({ actor: member, resource: { ...org, visibility: 'public' } })).toBe('public');
  });

  it('checks a key’s scope first, which reveals nothing about the resource', () => {
    expect(ask({ actor: member, scopes: ['agent:write'] })).toBe('insufficient_scope');
    expect(ask({ actor: owner, scopes: ['agent:read'] })).toBe('owner');
    expect(ask({ actor: owner, scopes: ['agent:read'], action: 'update' })).toBe(
      'insufficient_scope',
    );
  });

  it('publishes beyond its owner for Admins, to public only where the organization allows it', () => {
    const publish = { action: 'publish' as const };
    expect(ask({ actor: owner, ...publish, visibility: 'org' })).toBe('admin_required');
    expect(ask({ actor: owner, ...publish, visibility: 'private' })).toBe('owner');
    expect(ask({ actor: admin, ...publish })).toBe('admin');
    expect(ask({ actor: admin, ...publish, visibility: 'public' })).toBe(
      'public_resources_disabled',
    );
    expect(
      ask({ actor: admin, ...publish, visibility: 'public', allowPublicResources: true }),
    ).toBe('admin');
  });
});
