import { randomUUID } from 'node:crypto';
import type { ResourceEvent } from '@orgplane/contracts';
import {
  keyHashOf,
  sealedValue,
  serviceEvents,
  systemActor,
  userActor,
  apiKeyActor,
  type EventContext,
  type StreamEvent,
} from './service-events.fixture';

/**
 * A plausible history of one organization, about `size` events long, in the order the services
 * would append them: the organization and its data key, members invited and joining (with their
 * sign-ups, which carry no organization), keys, secrets, projects, workspaces and resources, then
 * day-to-day traffic dominated by secret reveals and resolutions, and a member's removal with its
 * consequences. The mix is the same for a given `seed` (ids and times are fresh).
 */
export function organizationHistory(size: number, seed: number): StreamEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const at = () => new Date().toISOString();
  const orgId = randomUUID();
  const adminId = randomUUID();
  const history: StreamEvent[] = [];
  const add = (event: StreamEvent) => {
    history.push(event);
    return event;
  };
  const by = (userId: string, extra: Partial<EventContext> = {}): EventContext => ({
    orgId,
    actor: userActor(userId),
    ip: '203.0.113.7',
    userAgent: 'curl/8.5.0',
    ...extra,
  });
  const reaction = (component: string, cause: StreamEvent): EventContext => ({
    orgId,
    actor: systemActor(component),
    causationId: cause.event.id,
  });

  add(
    serviceEvents.user(
      adminId,
      {
        type: 'UserSignedUp',
        data: {
          userId: adminId,
          email: `admin-${seed}@example.com`,
          provider: 'development',
          signedUpAt: at(),
        },
      },
      { orgId: null, actor: userActor(adminId) },
    ),
  );
  const created = add(
    serviceEvents.organization(
      orgId,
      {
        type: 'OrganizationCreated',
        data: {
          organizationId: orgId,
          name: `Organization ${seed}`,
          slug: `organization-${seed}`,
          plan: 'free',
          createdBy: adminId,
          createdAt: at(),
        },
      },
      by(adminId),
    ),
  );
  add(
    serviceEvents.organization(
      orgId,
      {
        type: 'MemberJoined',
        data: { organizationId: orgId, userId: adminId, role: 'admin', joinedAt: at() },
      },
      by(adminId),
    ),
  );
  add(
    serviceEvents.dataKey(
      orgId,
      {
        type: 'DataKeyCreated',
        data: { organizationId: orgId, masterKeyId: 'master-1', createdAt: at() },
      },
      reaction('secrets-vault.data-keys', created),
    ),
  );
  const defaultProjectId = randomUUID();
  add(
    serviceEvents.resource(
      `project-${defaultProjectId}`,
      {
        type: 'ProjectCreated',
        data: {
          projectId: defaultProjectId,
          organizationId: orgId,
          name: 'Default',
          color: null,
          isDefault: true,
          createdBy: null,
          createdAt: at(),
        },
      },
      reaction('resources.default-project', created),
    ),
  );

  const members = Array.from({ length: 9 }, () => randomUUID());
  const people = [adminId, ...members];
  for (const userId of members) {
    const invitationId = randomUUID();
    add(
      serviceEvents.organization(
        orgId,
        {
          type: 'InvitationCreated',
          data: {
            organizationId: orgId,
            invitationId,
            email: `${userId}@example.com`,
            role: 'member',
            invitedBy: adminId,
            createdAt: at(),
            expiresAt: at(),
          },
        },
        by(adminId),
      ),
    );
    add(
      serviceEvents.user(
        userId,
        {
          type: 'UserSignedUp',
          data: {
            userId,
            email: `${userId}@example.com`,
            provider: 'development',
            signedUpAt: at(),
          },
        },
        { orgId: null, actor: userActor(userId) },
      ),
    );
    add(
      serviceEvents.organization(
        orgId,
        {
          type: 'InvitationAccepted',
          data: { organizationId: orgId, invitationId, userId, acceptedAt: at() },
        },
        by(userId),
      ),
    );
    const joined = add(
      serviceEvents.organization(
        orgId,
        {
          type: 'MemberJoined',
          data: { organizationId: orgId, userId, role: 'member', joinedAt: at(), invitationId },
        },
        by(userId),
      ),
    );
    const workspaceId = randomUUID();
    add(
      serviceEvents.resource(
        `workspace-${workspaceId}`,
        {
          type: 'WorkspaceCreated',
          data: {
            workspaceId,
            organizationId: orgId,
            name: 'Personal',
            slug: `personal-${userId.slice(0, 8)}`,
            isPersonal: true,
            ownerUserId: userId,
            quotaBytes: 10_737_418_240,
            createdBy: null,
            createdAt: at(),
          },
        },
        reaction('resources.personal-workspace', joined),
      ),
    );
  }

  const apiKeys: { keyId: string; ownerUserId: string }[] = [];
  const secrets: { secretId: string; name: string; ownerUserId: string | null; version: number }[] =
    [];
  const resources: {
    resourceId: string;
    name: string;
    visibility: 'private' | 'org' | 'public';
  }[] = [];
  const projects = [defaultProjectId];
  const workspaces: string[] = [];

  const createApiKey = (ownerUserId: string) => {
    const keyId = randomUUID();
    apiKeys.push({ keyId, ownerUserId });
    add(
      serviceEvents.apiKey(
        keyId,
        {
          type: 'ApiKeyCreated',
          data: {
            keyId,
            organizationId: orgId,
            ownerUserId,
            name: 'CI',
            keyPrefix: 'rt_live_Ab12',
            keyHash: keyHashOf(keyId),
            scopes: ['secret:reveal', 'sandbox:read'],
            projectId: null,
            isTest: false,
            expiresAt: null,
            createdAt: at(),
          },
        },
        by(ownerUserId),
      ),
    );
  };
  const createSecret = (ownerUserId: string | null, creator: string) => {
    const secretId = randomUUID();
    const name = `SECRET_${secrets.length}`;
    secrets.push({ secretId, name, ownerUserId, version: 1 });
    add(
      serviceEvents.secret(
        secretId,
        {
          type: 'SecretCreated',
          data: {
            secretId,
            organizationId: orgId,
            ownerUserId,
            name,
            category: 'provider',
            scope: 'all',
            description: null,
            version: 1,
            value: sealedValue(),
            createdBy: creator,
            createdAt: at(),
          },
        },
        by(creator),
      ),
    );
  };
  const registerResource = (ownerUserId: string) => {
    const resourceId = randomUUID();
    const name = `agent-${resources.length}`;
    resources.push({ resourceId, name, visibility: 'private' });
    add(
      serviceEvents.resource(
        `resource-${resourceId}`,
        {
          type: 'ResourceRegistered',
          data: {
            resourceId,
            organizationId: orgId,
            kind: pick(['sandbox', 'agent', 'workflow', 'tool'] as const),
            name,
            ownerUserId,
            projectId: pick(projects),
            visibility: 'private',
            workspaceIds: workspaces.length ? [pick(workspaces)] : [],
            registeredBy: 'sandboxes',
            registeredAt: at(),
          },
        },
        { orgId, actor: systemActor('sandboxes') },
      ),
    );
  };

  for (const userId of people) {
    createApiKey(userId);
    createSecret(userId, userId);
  }
  createSecret(null, adminId);

  type Step = [weight: number, run: () => void];
  const steps: Step[] = [
    [
      30,
      () => {
        const secret = pick(secrets);
        const userId = secret.ownerUserId ?? pick(people);
        const key = apiKeys.find((candidate) => candidate.ownerUserId === userId);
        add(
          serviceEvents.secretAccess(
            secret.secretId,
            {
              type: 'SecretRevealed',
              data: {
                secretId: secret.secretId,
                organizationId: orgId,
                ownerUserId: secret.ownerUserId,
                name: secret.name,
                version: secret.version,
                revealedBy: userId,
                revealedAt: at(),
              },
            },
            key && random() < 0.5
              ? { ...by(userId), actor: apiKeyActor(key.keyId, userId) }
              : by(userId),
          ),
        );
      },
    ],
    [
      25,
      () => {
        const secret = pick(secrets);
        add(
          serviceEvents.secretAccess(
            secret.secretId,
            {
              type: 'SecretResolved',
              data: {
                secretId: secret.secretId,
                organizationId: orgId,
                ownerUserId: secret.ownerUserId,
                name: secret.name,
                version: secret.version,
                forUserId: secret.ownerUserId ?? pick(people),
                resolver: 'sandboxes',
                usage: 'sandboxes',
                resolvedAt: at(),
              },
            },
            { orgId, actor: systemActor('sandboxes') },
          ),
        );
      },
    ],
    [
      5,
      () => {
        const secret = pick(secrets);
        secret.version += 1;
        add(
          serviceEvents.secret(
            secret.secretId,
            {
              type: 'SecretRotated',
              data: {
                secretId: secret.secretId,
                category: 'provider',
                scope: 'all',
                description: 'rotated by the schedule',
                version: secret.version,
                value: sealedValue(),
                retiredVersions: secret.version > 10 ? [secret.version - 10] : [],
                rotatedBy: secret.ownerUserId ?? adminId,
                rotatedAt: at(),
              },
            },
            by(secret.ownerUserId ?? adminId),
          ),
        );
      },
    ],
    [3, () => createSecret(pick(people), pick(people))],
    [3, () => createApiKey(pick(people))],
    [
      4,
      () => {
        const key = pick(apiKeys);
        add(
          serviceEvents.apiKey(
            key.keyId,
            {
              type: 'ApiKeyUpdated',
              data: {
                keyId: key.keyId,
                name: 'CI (renamed)',
                scopes: ['secret:reveal'],
                projectId: pick(projects),
                updatedBy: key.ownerUserId,
                updatedAt: at(),
              },
            },
            by(key.ownerUserId),
          ),
        );
      },
    ],
    [
      2,
      () => {
        const key = pick(apiKeys);
        add(
          serviceEvents.apiKey(
            key.keyId,
            {
              type: 'ApiKeyRotated',
              data: {
                keyId: key.keyId,
                keyPrefix: 'rt_live_Cd34',
                keyHash: keyHashOf(`${key.keyId}:${random()}`),
                previousKeyHash: keyHashOf(key.keyId),
                previousValidUntil: at(),
                rotatedBy: key.ownerUserId,
                rotatedAt: at(),
              },
            },
            by(key.ownerUserId),
          ),
        );
      },
    ],
    [8, () => registerResource(pick(people))],
    [
      6,
      () => {
        if (!resources.length) return registerResource(pick(people));
        const resource = pick(resources);
        add(
          serviceEvents.resource(
            `resource-${resource.resourceId}`,
            {
              type: 'ResourceUpdated',
              data: {
                resourceId: resource.resourceId,
                name: resource.name,
                projectId: pick(projects),
                workspaceIds: [],
                updatedBy: null,
                updatedByService: 'sandboxes',
                updatedAt: at(),
              },
            },
            { orgId, actor: systemActor('sandboxes') },
          ),
        );
      },
    ],
    [
      3,
      () => {
        if (!resources.length) return registerResource(pick(people));
        const resource = pick(resources);
        const visibility = resource.visibility === 'private' ? 'org' : 'private';
        const event: ResourceEvent = {
          type: 'ResourceVisibilityChanged',
          data: {
            resourceId: resource.resourceId,
            visibility,
            previousVisibility: resource.visibility,
            changedBy: adminId,
            changedAt: at(),
          },
        };
        resource.visibility = visibility;
        add(serviceEvents.resource(`resource-${resource.resourceId}`, event, by(adminId)));
      },
    ],
    [
      2,
      () => {
        const projectId = randomUUID();
        projects.push(projectId);
        add(
          serviceEvents.resource(
            `project-${projectId}`,
            {
              type: 'ProjectCreated',
              data: {
                projectId,
                organizationId: orgId,
                name: `Project ${projects.length}`,
                color: '#336699',
                isDefault: false,
                createdBy: adminId,
                createdAt: at(),
              },
            },
            by(adminId),
          ),
        );
      },
    ],
    [
      2,
      () => {
        const workspaceId = randomUUID();
        workspaces.push(workspaceId);
        add(
          serviceEvents.resource(
            `workspace-${workspaceId}`,
            {
              type: 'WorkspaceCreated',
              data: {
                workspaceId,
                organizationId: orgId,
                name: `Shared ${workspaces.length}`,
                slug: `shared-${workspaces.length}`,
                isPersonal: false,
                ownerUserId: adminId,
                quotaBytes: 1_073_741_824,
                createdBy: adminId,
                createdAt: at(),
              },
            },
            by(adminId),
          ),
        );
      },
    ],
    [
      2,
      () => {
        const userId = pick(members);
        const role = random() < 0.5 ? 'admin' : 'member';
        add(
          serviceEvents.organization(
            orgId,
            {
              type: 'MemberRoleChanged',
              data: {
                organizationId: orgId,
                userId,
                role,
                previousRole: role === 'admin' ? 'member' : 'admin',
                changedBy: adminId,
                changedAt: at(),
              },
            },
            by(adminId),
          ),
        );
      },
    ],
    [
      1,
      () =>
        add(
          serviceEvents.preference(
            pick(people),
            {
              type: 'ActiveOrganizationSwitched',
              data: { userId: pick(people), organizationId: orgId, switchedAt: at() },
            },
            by(pick(people)),
          ),
        ),
    ],
  ];
  const totalWeight = steps.reduce((sum, [weight]) => sum + weight, 0);
  // Leave room for the removal and its consequences at the end.
  while (history.length < size - 8) {
    let roll = random() * totalWeight;
    for (const [weight, run] of steps) {
      roll -= weight;
      if (roll < 0) {
        run();
        break;
      }
    }
  }

  const departing = members[members.length - 1];
  const removed = add(
    serviceEvents.organization(
      orgId,
      {
        type: 'MemberRemoved',
        data: {
          organizationId: orgId,
          userId: departing,
          role: 'member',
          removedBy: adminId,
          removedAt: at(),
        },
      },
      by(adminId),
    ),
  );
  const departure = {
    reason: 'member_removed' as const,
    eventId: removed.event.id,
    eventType: 'MemberRemoved',
  };
  for (const key of apiKeys.filter(({ ownerUserId }) => ownerUserId === departing)) {
    add(
      serviceEvents.apiKey(
        key.keyId,
        {
          type: 'ApiKeyRevoked',
          data: { keyId: key.keyId, revokedBy: null, cause: departure, revokedAt: at() },
        },
        reaction('keys.member-removal', removed),
      ),
    );
  }
  for (const secret of secrets.filter(({ ownerUserId }) => ownerUserId === departing)) {
    add(
      serviceEvents.secret(
        secret.secretId,
        {
          type: 'SecretDestroyed',
          data: {
            secretId: secret.secretId,
            destroyedVersions: Array.from(
              { length: Math.min(secret.version, 10) },
              (_, index) => secret.version - index,
            ),
            destroyedBy: null,
            cause: departure,
            destroyedAt: at(),
          },
        },
        reaction('secrets-vault.member-removal', removed),
      ),
    );
  }
  return history;
}

/** mulberry32: small, fast, and the same sequence for the same seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
