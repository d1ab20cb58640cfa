import { organizationHistory } from '../../audit-log/testing/organization-history.fixture';
import { decodeFold, encodeFold } from './fold-codec';
import {
  branchFold,
  emptyFold,
  estimatedFoldBytes,
  foldEvent,
  type FoldableEvent,
  type OrganizationFold,
} from './organization-fold';

const history = organizationHistory(4000, 11);
const organizationId = history.find((item) => item.event.metadata.orgId)!.event.metadata.orgId!;
const events: FoldableEvent[] = history
  .filter((item) => item.event.metadata.orgId === organizationId)
  .map(({ streamName, event }, index) => ({
    streamName,
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    position: `${index + 1}:${index + 1}`,
    recordedAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
  }));

const foldOf = (from: OrganizationFold, folded: FoldableEvent[]) => {
  for (const event of folded) foldEvent(from, event);
  return from;
};

/** Frozen through and through, Maps included: any write into it throws. */
function deepFreeze<Value>(value: Value): Value {
  if (value instanceof Map) {
    for (const [key, item] of value) {
      deepFreeze(key);
      deepFreeze(item);
    }
    const refuse = () => {
      throw new TypeError('a frozen Map was written to');
    };
    Object.assign(value, { set: refuse, delete: refuse, clear: refuse });
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return Object.freeze(value);
}

describe('a branch of a fold', () => {
  it('folds on as the fold would, leaving the fold it came from as it was', () => {
    const half = Math.floor(events.length / 2);
    const snapshot = deepFreeze(foldOf(emptyFold(organizationId), events.slice(0, half)));
    const snapshotText = encodeFold(snapshot);

    const branches = [0, 1].map(() => foldOf(branchFold(snapshot), events.slice(half)));

    expect(encodeFold(snapshot)).toBe(snapshotText);
    for (const branch of branches) {
      expect(branch).toEqual(foldOf(emptyFold(organizationId), events));
    }
  });

  it('from a decoded snapshot, the same', () => {
    const half = Math.floor(events.length / 3);
    const snapshot = deepFreeze(
      decodeFold(encodeFold(foldOf(emptyFold(organizationId), events.slice(0, half)))),
    );

    expect(foldOf(branchFold(snapshot), events.slice(half))).toEqual(
      foldOf(emptyFold(organizationId), events),
    );
  });
});

describe('the estimated size of a fold', () => {
  it('grows with what the fold holds', () => {
    const small = foldOf(emptyFold(organizationId), events.slice(0, 100));
    const large = foldOf(emptyFold(organizationId), events);

    expect(estimatedFoldBytes(emptyFold(organizationId))).toBeGreaterThan(0);
    expect(estimatedFoldBytes(large)).toBeGreaterThan(5 * estimatedFoldBytes(small));
  });
});
