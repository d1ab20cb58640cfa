/**
 * The benchmark's world, as the services that own it would have written it to the event store:
 * organizations with their members (membership), an API key per member (keys), and resources
 * registered for the members (the platform's services). And the mix of checks the load generator
 * sends over it.
 */
import {
  apiKeyStreamName,
  defaultProjectIdOf,
  keyEvents,
  organizationEvents,
  organizationStreamName,
  resourceEvents,
  resourceStreamName,
  RESOURCE_ACTIONS,
  RESOURCE_KINDS,
  type AuthorizeRequest,
  type ResourceKind,
  type ResourceVisibility,
  type Scope,
  type StoredEventShape,
} from '@orgplane/contracts';
import {
  maxPosition,
  type EventStore,
  type JsonObject,
  type Position,
} from '@orgplane/event-store';
import { newId } from '@orgplane/util';

export interface WorldSize {
  organizations: number;
  membersPerOrganization: number;
  resourcesPerOrganization: number;
}

export interface BenchOrganization {
  id: string;
  /** the first is the Admin who created it */
  members: string[];
  /** one per member, same order */
  keys: string[];
  resources: string[];
}

export interface BenchWorld {
  organizations: BenchOrganization[];
  streams: { streamName: string; events: StoredEventShape[] }[];
  counts: { members: number; apiKeys: number; resources: number; events: number };
}

/** The scope lists the keys get in turn: wide, per kind, read-only, and the rest. */
const SCOPE_LISTS: Scope[][] = [
  ['*'],
  ['agent:*', 'sandbox:read'],
  ['agent:read'],
  ['workflow:*', 'tool:*'],
];
/** 6 in 10 private, 3 org, 1 public */
const VISIBILITIES: ResourceVisibility[] = [
  'private',
  'private',
  'private',
  'private',
  'private',
  'private',
  'org',
  'org',
  'org',
  'public',
];

export function buildWorld(size: WorldSize): BenchWorld {
  const at = new Date().toISOString();
  const organizations: BenchOrganization[] = [];
  const streams: BenchWorld['streams'] = [];
  let keyCount = 0;
  for (let o = 0; o < size.organizations; o += 1) {
    const organizationId = newId();
    const members = Array.from({ length: size.membersPerOrganization }, () => newId());
    streams.push({
      streamName: organizationStreamName(organizationId),
      events: [
        organizationEvents.encode({
          type: 'OrganizationCreated',
          data: {
            organizationId,
            name: `Bench ${o}`,
            slug: `bench-${o}-${organizationId.slice(0, 8)}`,
            plan: 'free',
            createdBy: members[0],
            createdAt: at,
          },
        }),
        ...members.map((userId, index) =>
          organizationEvents.encode({
            type: 'MemberJoined',
            data: { organizationId, userId, role: index === 0 ? 'admin' : 'member', joinedAt: at },
          }),
        ),
      ],
    });
    const keys = members.map((ownerUserId) => {
      const keyId = newId();
      const hex = keyId.replace(/-/g, '');
      streams.push({
        streamName: apiKeyStreamName(keyId),
        events: [
          keyEvents.encode({
            type: 'ApiKeyCreated',
            data: {
              keyId,
              organizationId,
              ownerUserId,
              name: 'bench',
              keyPrefix: 'rt_live_Bnch',
              // never used to authenticate here: any SHA-256-shaped value will do
              keyHash: `${hex}${hex}`,
              scopes: SCOPE_LISTS[keyCount++ % SCOPE_LISTS.length],
              projectId: null,
              isTest: false,
              expiresAt: null,
              createdAt: at,
            },
          }),
        ],
      });
      return keyId;
    });
    const resources = Array.from({ length: size.resourcesPerOrganization }, (_, index) => {
      const resourceId = newId();
      const kind: ResourceKind = RESOURCE_KINDS[index % RESOURCE_KINDS.length];
      streams.push({
        streamName: resourceStreamName(resourceId),
        events: [
          resourceEvents.encode({
            type: 'ResourceRegistered',
            data: {
              resourceId,
              organizationId,
              kind,
              name: `${kind} ${index}`,
              ownerUserId: members[index % members.length],
              projectId: defaultProjectIdOf(organizationId),
              visibility: VISIBILITIES[index % VISIBILITIES.length],
              workspaceIds: [],
              registeredBy: 'bench',
              registeredAt: at,
            },
          }),
        ],
      });
      return resourceId;
    });
    organizations.push({ id: organizationId, members, keys, resources });
  }
  return {
    organizations,
    streams,
    counts: {
      members: size.organizations * size.membersPerOrganization,
      apiKeys: keyCount,
      resources: size.organizations * size.resourcesPerOrganization,
      events: streams.reduce((sum, stream) => sum + stream.events.length, 0),
    },
  };
}

/** Appends every stream, `concurrency` appends at a time; the newest position written. */
export async function appendWorld(
  store: EventStore,
  world: BenchWorld,
  concurrency = 16,
): Promise<Position> {
  let newest: Position | null = null;
  let next = 0;
  const metadata = {
    orgId: null,
    actor: { type: 'system' as const, id: 'authorize-bench' },
    requestId: 'bench',
    correlationId: 'bench',
    causationId: 'bench',
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < world.streams.length) {
        const { streamName, events } = world.streams[next++];
        const { position } = await store.append(
          streamName,
          events.map((event) => ({
            type: event.type,
            schemaVersion: event.schemaVersion,
            data: event.data as JsonObject,
            metadata,
          })),
        );
        newest = newest ? maxPosition(newest, position) : position;
      }
    }),
  );
  return newest!;
}

/**
 * `count` checks as platform services would ask them: a member (half as themself, half through
 * their key) of a random organization asks a random action on one of its resources; 1 in 20 names
 * an unknown resource, 1 in 20 asks as a user of another organization. Deterministic.
 */
export function checkMix(world: BenchWorld, count: number): AuthorizeRequest[] {
  let seed = 42;
  const random = (bound: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % bound;
  };
  const requests: AuthorizeRequest[] = [];
  for (let index = 0; index < count; index += 1) {
    const organizations = world.organizations;
    const organization = organizations[random(organizations.length)];
    const member = random(organization.members.length);
    const roll = random(20);
    const principal =
      roll === 0
        ? {
            type: 'user' as const,
            userId:
              organizations[(organizations.indexOf(organization) + 1) % organizations.length]
                .members[member],
          }
        : random(2) === 0
          ? { type: 'user' as const, userId: organization.members[member] }
          : { type: 'apiKey' as const, keyId: organization.keys[member] };
    const resourceIndex = random(organization.resources.length);
    requests.push({
      principal,
      organizationId: organization.id,
      action: RESOURCE_ACTIONS[random(RESOURCE_ACTIONS.length)],
      resource: {
        kind: RESOURCE_KINDS[resourceIndex % RESOURCE_KINDS.length],
        id: roll === 1 ? newId() : organization.resources[resourceIndex],
      },
    });
  }
  return requests;
}
