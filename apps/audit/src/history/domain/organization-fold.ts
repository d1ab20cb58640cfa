import {
  apiKeyStreamName,
  organizationStreamName,
  projectStreamName,
  resourceStreamName,
  secretAccessStreamName,
  secretStreamName,
  sshKeyStreamName,
  workspaceStreamName,
  type OrganizationEvent,
  type SealedSecretValue,
} from '@orgplane/contracts';
import { apiKeyDecider, sshKeyDecider, type ApiKey, type SshKey } from '@orgplane/keys-domain';
import { organizationDecider, type Organization } from '@orgplane/membership-domain';
import {
  projectDecider,
  resourceDecider,
  workspaceDecider,
  type Project,
  type Resource,
  type Workspace,
} from '@orgplane/resources-domain';
import { secretDecider, type Secret } from '@orgplane/secrets-vault-domain';
import type { Decider } from '@orgplane/util';

/** One of the organization's events, as the fold needs it. */
export interface FoldableEvent {
  streamName: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  /** its position in `$all`, as text */
  position: string;
  /** when it was recorded (ISO) */
  recordedAt: string;
}

/** What the organization was before its deletion, which its deleted state no longer holds. */
export interface DeletedOrganizationProfile {
  name: string;
  slug: string;
  plan: string;
  settings: Record<string, unknown>;
  createdAt: string;
}

/**
 * The organization's streams, each folded with its service's own evolve function, keyed by the
 * stream's id. Plain data (Maps aside, see fold-codec), so it can be stored as a snapshot. Secret
 * material never stays in it: values, ciphertext and key hashes are blanked after each event.
 */
export interface OrganizationFold {
  organizationId: string;
  /** the last event folded in */
  position: string | null;
  asOf: string | null;
  /** the latest recording time among the events folded: moments before it need an earlier fold */
  recordedThrough: string | null;
  eventCount: number;
  organization: Organization;
  deletedProfile: DeletedOrganizationProfile | null;
  apiKeys: Record<string, ApiKey>;
  sshKeys: Record<string, SshKey>;
  secrets: Record<string, Secret>;
  projects: Record<string, Project>;
  workspaces: Record<string, Workspace>;
  resources: Record<string, Resource>;
}

export function emptyFold(organizationId: string): OrganizationFold {
  return {
    organizationId,
    position: null,
    asOf: null,
    recordedThrough: null,
    eventCount: 0,
    organization: organizationDecider.initialState(),
    deletedProfile: null,
    apiKeys: {},
    sshKeys: {},
    secrets: {},
    projects: {},
    workspaces: {},
    resources: {},
  };
}

const BLANK = '';
const BLANK_SEALED_VALUE: SealedSecretValue = {
  keyId: BLANK,
  nonce: BLANK,
  ciphertext: BLANK,
  tag: BLANK,
};

function withoutKeyHashes(key: ApiKey): ApiKey {
  if (key.status === 'nonexistent') return key;
  return {
    ...key,
    keyHash: BLANK,
    previous: key.previous && { ...key.previous, keyHash: BLANK },
    cutShortKeyHash: key.cutShortKeyHash === null ? null : BLANK,
  };
}

function withoutValues(secret: Secret): Secret {
  if (secret.status !== 'active' && secret.status !== 'deleted') return secret;
  return {
    ...secret,
    versions: secret.versions.map((kept) => ({ ...kept, value: BLANK_SEALED_VALUE })),
  };
}

/** How each kind of stream folds: its name's prefix, and the step for one of its events. */
interface StreamKind {
  prefix: string;
  fold(fold: OrganizationFold, id: string, stored: FoldableEvent): void;
}

/**
 * A stored event as its service's event union. The services validated their events when
 * appending them, and a replay folds up to 100,000: decoding each again would cost more than the
 * rest of the fold. (An upcaster for a new schema version would go here.)
 */
const asEvent = <Event>(stored: FoldableEvent) =>
  ({ type: stored.type, data: stored.data }) as Event;

/** The collections of the fold that hold one entity per stream, by the id its stream names. */
type EntityCollections = Pick<
  OrganizationFold,
  'apiKeys' | 'sshKeys' | 'secrets' | 'projects' | 'workspaces' | 'resources'
>;

type EntityOf<Name extends keyof EntityCollections> = EntityCollections[Name][string];

/**
 * Streams of one entity each (`<prefix><id>`), folded with their service's own evolve into
 * `collection[id]`; `tidy` drops what history must not keep (key hashes, ciphertexts).
 */
function entities<Name extends keyof EntityCollections, Event>(
  prefix: string,
  collection: Name,
  decider: Pick<Decider<unknown, EntityOf<Name>, Event>, 'initialState' | 'evolve'>,
  tidy: (state: EntityOf<Name>) => EntityOf<Name> = (state) => state,
): StreamKind {
  return {
    prefix,
    fold(fold, id, stored) {
      const held = fold[collection] as Record<string, EntityOf<Name>>;
      held[id] = tidy(decider.evolve(held[id] ?? decider.initialState(), asEvent<Event>(stored)));
    },
  };
}

/** Longest prefixes first: `secret-access-…` is not a `secret-…` stream. */
const STREAM_KINDS: readonly StreamKind[] = [
  // reveals and resolutions change nothing the state shows; they count as events all the same
  { prefix: secretAccessStreamName(''), fold: () => undefined },
  {
    prefix: organizationStreamName(''),
    fold(fold, _id, stored) {
      const before = fold.organization;
      fold.organization = organizationDecider.evolve(before, asEvent<OrganizationEvent>(stored));
      if (before.status === 'active' && fold.organization.status === 'deleted') {
        const { name, slug, plan, settings, createdAt } = before;
        fold.deletedProfile = { name, slug, plan, settings, createdAt };
      }
    },
  },
  entities(apiKeyStreamName(''), 'apiKeys', apiKeyDecider, withoutKeyHashes),
  entities(sshKeyStreamName(''), 'sshKeys', sshKeyDecider),
  entities(secretStreamName(''), 'secrets', secretDecider, withoutValues),
  entities(projectStreamName(''), 'projects', projectDecider),
  entities(workspaceStreamName(''), 'workspaces', workspaceDecider),
  entities(resourceStreamName(''), 'resources', resourceDecider),
];

const kindOf = (streamName: string) =>
  STREAM_KINDS.find((candidate) => streamName.startsWith(candidate.prefix));

/** The streams the state is folded from (and counts): preferences and data keys are not. */
export const FOLDED_STREAM_PREFIXES: readonly string[] = STREAM_KINDS.map((kind) => kind.prefix);

export const isFolded = (streamName: string): boolean => kindOf(streamName) !== undefined;

/**
 * Folds one event of the organization into `fold`, in place: a replay folds up to 100,000 events,
 * and copying the collections at each would make that quadratic. Events of other streams than
 * FOLDED_STREAM_PREFIXES name are left out, uncounted.
 */
export function foldEvent(fold: OrganizationFold, event: FoldableEvent): void {
  const kind = kindOf(event.streamName);
  if (!kind) return;
  kind.fold(fold, event.streamName.slice(kind.prefix.length), event);
  fold.position = event.position;
  fold.asOf = event.recordedAt;
  if (fold.recordedThrough === null || event.recordedAt > fold.recordedThrough) {
    fold.recordedThrough = event.recordedAt;
  }
  fold.eventCount += 1;
}

/**
 * A fold to fold further while `fold` stays as it is (a snapshot kept for other replays). The
 * evolve functions never change the state they are given, they return a new one, and foldEvent
 * only replaces entries of the fold's collections: copying the collections is enough.
 */
export function branchFold(fold: OrganizationFold): OrganizationFold {
  return {
    ...fold,
    apiKeys: { ...fold.apiKeys },
    sshKeys: { ...fold.sshKeys },
    secrets: { ...fold.secrets },
    projects: { ...fold.projects },
    workspaces: { ...fold.workspaces },
    resources: { ...fold.resources },
  };
}

/** What one item of a fold (a key, a secret, a member...) takes in memory, on average (measured: 11.3 MB for a fold of 18,000). */
const ITEM_BYTES = 640;

/** A rough measure of the memory a fold takes, to bound the folds kept. */
export function estimatedFoldBytes(fold: OrganizationFold): number {
  const { organization } = fold;
  const people =
    organization.status === 'active'
      ? organization.members.size + organization.invitations.size
      : 0;
  const items = [
    fold.apiKeys,
    fold.sshKeys,
    fold.secrets,
    fold.projects,
    fold.workspaces,
    fold.resources,
  ].reduce((count, collection) => count + Object.keys(collection).length, people);
  return (items + 1) * ITEM_BYTES;
}
