import type {
  HistoryCollection,
  HistoryFieldChange,
  OrganizationHistoryDiff,
  OrganizationHistoryState,
} from '@orgplane/contracts';

const COLLECTIONS: readonly HistoryCollection[] = [
  'members',
  'invitations',
  'apiKeys',
  'sshKeys',
  'secrets',
  'projects',
  'workspaces',
  'resources',
];

type Item = Record<string, unknown>;

const keyOf = (item: Item): string => String(item.id ?? item.userId);

/** Field values are JSON (strings, numbers, lists of strings, settings objects). */
const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function fieldChanges(from: Item, to: Item): HistoryFieldChange[] {
  const fields = [...new Set([...Object.keys(from), ...Object.keys(to)])];
  return fields
    .filter((field) => !sameValue(from[field], to[field]))
    .map((field) => ({ field, from: from[field] ?? null, to: to[field] ?? null }));
}

function collectionDiff(
  from: Item[],
  to: Item[],
): OrganizationHistoryDiff['changes'][HistoryCollection] {
  const before = new Map(from.map((item) => [keyOf(item), item]));
  const after = new Map(to.map((item) => [keyOf(item), item]));
  return {
    added: to.filter((item) => !before.has(keyOf(item))),
    removed: from.filter((item) => !after.has(keyOf(item))),
    changed: to.flatMap((item) => {
      const previous = before.get(keyOf(item));
      const fields = previous ? fieldChanges(previous, item) : [];
      return fields.length > 0 ? [{ key: keyOf(item), fields }] : [];
    }),
  };
}

/** What changed from one state of the organization to another, collection by collection. */
export function diffHistoryStates(
  from: OrganizationHistoryState,
  to: OrganizationHistoryState,
): OrganizationHistoryDiff {
  const changes = Object.fromEntries(
    COLLECTIONS.map((collection) => [
      collection,
      collectionDiff(from[collection] as Item[], to[collection] as Item[]),
    ]),
  ) as OrganizationHistoryDiff['changes'];
  return {
    from: { position: from.position, asOf: from.asOf },
    to: { position: to.position, asOf: to.asOf },
    organization: fieldChanges(from.organization ?? {}, to.organization ?? {}),
    changes,
  };
}
