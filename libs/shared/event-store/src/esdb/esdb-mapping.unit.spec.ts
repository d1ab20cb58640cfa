import {
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type PrefixesFilter,
  type RegexFilter,
} from '@eventstore/db-client';
import { StreamDeletedError, StreamNotFoundError, WrongExpectedRevisionError } from '../errors';
import type { EventMetadata, NewEvent } from '../event-store.port';
import {
  SCHEMA_VERSION_KEY,
  escapeRegex,
  exactNamesRegex,
  fromEsdbRecordedEvent,
  fromEsdbStreamMetadata,
  isSystemEvent,
  matchesFilter,
  meetsExpectation,
  toAppendExpectedRevision,
  toDeleteExpectedRevision,
  toEsdbEventData,
  toEsdbStreamMetadata,
  toPortError,
  toSubscriptionFilter,
  type EsdbPositionedEvent,
} from './esdb-mapping';

const metadata: EventMetadata = {
  orgId: 'org-1',
  actor: { type: 'user', id: 'user-1' },
  requestId: 'req-1',
  correlationId: 'corr-1',
  causationId: 'cause-1',
};

function recorded(overrides: Partial<EsdbPositionedEvent> = {}): EsdbPositionedEvent {
  return {
    streamId: 'organization-1',
    id: '7f0c6f52-0d4e-4c39-9a43-1f0f8c2b8a11',
    revision: 3n,
    type: 'OrganizationRenamed',
    isJson: true,
    created: new Date('2025-01-02T03:04:05.678Z'),
    data: { name: 'Acme' },
    metadata: { ...metadata, [SCHEMA_VERSION_KEY]: 2 },
    position: { commit: 1200n, prepare: 1100n },
    ...overrides,
  } as EsdbPositionedEvent;
}

describe('expected revision', () => {
  it.each(['any', 'no_stream', 'stream_exists', 0n, 41n] as const)(
    'passes %p to append unchanged',
    (expected) => {
      expect(toAppendExpectedRevision(expected)).toBe(expected);
    },
  );

  it('refuses a negative revision', () => {
    expect(() => toAppendExpectedRevision(-1n)).toThrow(RangeError);
    expect(() => toDeleteExpectedRevision(-1n)).toThrow(RangeError);
  });

  it('deletes with any when stream_exists was asked (the caller checked existence)', () => {
    expect(toDeleteExpectedRevision('stream_exists')).toBe('any');
    expect(toDeleteExpectedRevision('no_stream')).toBe('no_stream');
    expect(toDeleteExpectedRevision(7n)).toBe(7n);
  });
});

describe('checking an expectation on the client', () => {
  it.each([
    ['any', 'no_stream', true],
    ['any', 3n, true],
    ['no_stream', 'no_stream', true],
    ['no_stream', 0n, false],
    ['stream_exists', 0n, true],
    ['stream_exists', 'no_stream', false],
    [3n, 3n, true],
    [3n, 2n, false],
    [0n, 'no_stream', false],
  ] as const)('expected %p, actual %p: %p', (expected, actual, met) => {
    expect(meetsExpectation(expected, actual)).toBe(met);
  });
});

describe('event encoding', () => {
  const event: NewEvent = {
    type: 'OrganizationRenamed',
    schemaVersion: 2,
    data: { name: 'Acme' },
    metadata,
  };

  it('writes JSON with the schema version inside the metadata', () => {
    const data = toEsdbEventData(event, 'a1b2c3d4-0000-4000-8000-000000000001');
    expect(data).toEqual({
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      contentType: 'application/json',
      type: 'OrganizationRenamed',
      data: { name: 'Acme' },
      metadata: { ...metadata, $schemaVersion: 2 },
    });
  });

  it('reads back the port event, schema version stripped from the metadata', () => {
    expect(fromEsdbRecordedEvent(recorded())).toEqual({
      id: '7f0c6f52-0d4e-4c39-9a43-1f0f8c2b8a11',
      streamName: 'organization-1',
      revision: 3n,
      position: { commit: 1200n, prepare: 1100n },
      type: 'OrganizationRenamed',
      schemaVersion: 2,
      data: { name: 'Acme' },
      metadata,
      createdAt: new Date('2025-01-02T03:04:05.678Z'),
    });
  });

  it.each([
    ['binary data', { isJson: false, data: new Uint8Array([1]) }, /data is not a JSON object/],
    ['an array as data', { data: [1, 2] }, /data is not a JSON object/],
    ['no metadata', { metadata: undefined }, /metadata is not a JSON object/],
    ['no schema version', { metadata: { ...metadata } }, /has no \$schemaVersion/],
  ])('refuses an event with %s, naming it', (_case, overrides, message) => {
    const decode = () => fromEsdbRecordedEvent(recorded(overrides as Partial<EsdbPositionedEvent>));
    expect(decode).toThrow(message);
    expect(decode).toThrow(/event 7f0c6f52-.* \(OrganizationRenamed\) in stream organization-1/);
  });
});

describe('system events', () => {
  it.each([
    [{ streamId: '$$organization-1', type: '$metadata' }, true],
    [{ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' }, true],
    [{ streamId: 'organization-1', type: '$>' }, true],
    [{ streamId: '$ce-organization', type: 'OrganizationRenamed' }, true],
    [{ streamId: 'organization-1', type: 'OrganizationRenamed' }, false],
  ])('%p is a system event: %p', (event, expected) => {
    expect(isSystemEvent(event)).toBe(expected);
  });
});

describe('filters', () => {
  const event = { streamId: 'organization-1', type: 'MemberAdded' };

  it('matches stream name prefixes, event type prefixes and exact event types', () => {
    expect(matchesFilter(undefined, event)).toBe(true);
    expect(matchesFilter({ streamNamePrefixes: ['user-', 'organization-'] }, event)).toBe(true);
    expect(matchesFilter({ streamNamePrefixes: ['organization'] }, event)).toBe(true);
    expect(matchesFilter({ streamNamePrefixes: ['org-'] }, event)).toBe(false);
    expect(matchesFilter({ streamNamePrefixes: ['user-'] }, event)).toBe(false);
    expect(matchesFilter({ eventTypePrefixes: ['Member'] }, event)).toBe(true);
    expect(matchesFilter({ eventTypePrefixes: ['Organization'] }, event)).toBe(false);
    expect(matchesFilter({ eventTypes: ['MemberAdded'] }, event)).toBe(true);
    expect(matchesFilter({ eventTypes: ['MemberAddedV2', 'Member'] }, event)).toBe(false);
  });

  it('matches nothing with an empty list', () => {
    expect(matchesFilter({ streamNamePrefixes: [] }, event)).toBe(false);
    expect(matchesFilter({ eventTypePrefixes: [] }, event)).toBe(false);
    expect(matchesFilter({ eventTypes: [] }, event)).toBe(false);
  });

  it('escapes every regex metacharacter', () => {
    const name = 'a.b*c+d?e^f$g|h(i)j[k]l{m}n\\o';
    expect(new RegExp(`^${escapeRegex(name)}$`).test(name)).toBe(true);
    expect(new RegExp(escapeRegex('a.b')).test('axb')).toBe(false);
  });

  it('anchors the exact event type regex at both ends', () => {
    const regex = exactNamesRegex(['MemberAdded', 'Role.Changed']);
    expect(regex).toBe('^(?:MemberAdded|Role\\.Changed)$');
    const compiled = new RegExp(regex);
    expect(compiled.test('MemberAdded')).toBe(true);
    expect(compiled.test('Role.Changed')).toBe(true);
    expect(compiled.test('RoleXChanged')).toBe(false);
    expect(compiled.test('MemberAddedV2')).toBe(false);
    expect(compiled.test('OldMemberAdded')).toBe(false);
  });

  it('builds a regex that matches nothing for no event types', () => {
    const compiled = new RegExp(exactNamesRegex([]));
    expect(['', 'MemberAdded', '$metadata'].some((type) => compiled.test(type))).toBe(false);
  });
});

describe('subscription filters', () => {
  const checkpointReached = jest.fn();

  it('excludes system event types on the server when there is no filter', () => {
    const filter = toSubscriptionFilter(undefined, checkpointReached) as RegexFilter;
    expect(filter).toMatchObject({ filterOn: 'eventType', checkpointInterval: 1 });
    expect(filter.checkpointReached).toBe(checkpointReached);
    expect(new RegExp(filter.regex).test('$metadata')).toBe(false);
    expect(new RegExp(filter.regex).test('MemberAdded')).toBe(true);
  });

  it('maps stream name prefixes and event type prefixes to prefix filters', () => {
    expect(
      toSubscriptionFilter({ streamNamePrefixes: ['organization-'] }, checkpointReached),
    ).toMatchObject<Partial<PrefixesFilter>>({
      filterOn: 'streamName',
      prefixes: ['organization-'],
      checkpointReached,
    });
    expect(
      toSubscriptionFilter({ eventTypePrefixes: ['Member'] }, checkpointReached),
    ).toMatchObject<Partial<PrefixesFilter>>({
      filterOn: 'eventType',
      prefixes: ['Member'],
      checkpointReached,
    });
  });

  it('maps exact event types to an anchored event type regex', () => {
    expect(
      toSubscriptionFilter({ eventTypes: ['MemberAdded', 'MemberRemoved'] }, checkpointReached),
    ).toMatchObject<Partial<RegexFilter>>({
      filterOn: 'eventType',
      regex: '^(?:MemberAdded|MemberRemoved)$',
    });
  });

  it('sends a match-nothing regex rather than an empty prefix list', () => {
    for (const filter of [{ streamNamePrefixes: [] }, { eventTypePrefixes: [] }]) {
      const esdbFilter = toSubscriptionFilter(filter, checkpointReached) as RegexFilter;
      expect(esdbFilter).not.toHaveProperty('prefixes');
      expect(new RegExp(esdbFilter.regex).test('anything')).toBe(false);
    }
  });
});

describe('stream metadata', () => {
  it('encodes the port fields as the client names them, custom fields as they are', () => {
    expect(
      toEsdbStreamMetadata({ maxCount: 10, maxAge: 3600, truncateBefore: 5n, owner: 'org-1' }),
    ).toEqual({ maxCount: 10, maxAge: 3600, truncateBefore: 5, owner: 'org-1' });
    expect(toEsdbStreamMetadata({})).toEqual({});
  });

  it('refuses a truncateBefore that JSON cannot carry exactly', () => {
    expect(() => toEsdbStreamMetadata({ truncateBefore: 2n ** 60n })).toThrow(RangeError);
  });

  it('decodes what the client reads back', () => {
    expect(
      fromEsdbStreamMetadata({ maxCount: 10, maxAge: 3600, truncateBefore: 5, owner: 'org-1' }),
    ).toEqual({ maxCount: 10, maxAge: 3600, truncateBefore: 5n, owner: 'org-1' });
    expect(fromEsdbStreamMetadata({})).toEqual({});
  });

  it("reads ESDB's deleted-stream marker (Int64.MaxValue, rounded by JSON) exactly", () => {
    const parsed = JSON.parse('{"truncateBefore": 9223372036854775807}') as {
      truncateBefore: number;
    };
    expect(fromEsdbStreamMetadata(parsed).truncateBefore).toBe(9223372036854775807n);
  });
});

describe('errors', () => {
  it('maps a wrong expected version, keeping the actual revision', () => {
    const esdbError = new WrongExpectedVersionError(undefined, {
      streamName: 'organization-1',
      expected: 2n,
      current: 4n,
    });
    const error = toPortError(esdbError, 'organization-1', 2n);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamName: 'organization-1', expected: 2n, actual: 4n });
  });

  it('maps a wrong expected version on a missing stream to actual no_stream', () => {
    const esdbError = new WrongExpectedVersionError(undefined, {
      streamName: 'organization-1',
      expected: 'stream_exists',
      current: 'no_stream',
    });
    expect(toPortError(esdbError, 'organization-1', 'stream_exists')).toMatchObject({
      expected: 'stream_exists',
      actual: 'no_stream',
    });
  });

  it('maps stream not found and stream deleted', () => {
    const notFound = toPortError(new EsdbStreamNotFoundError(undefined, 'user-1'), 'user-1', 'any');
    expect(notFound).toBeInstanceOf(StreamNotFoundError);
    expect(notFound).toMatchObject({ streamName: 'user-1' });
    const deleted = toPortError(EsdbStreamDeletedError.fromStreamName('user-1'), 'user-1', 'any');
    expect(deleted).toBeInstanceOf(StreamDeletedError);
    expect(deleted).toMatchObject({ streamName: 'user-1' });
  });

  it('passes any other error through', () => {
    const unavailable = new UnavailableError();
    expect(toPortError(unavailable, 'user-1', 'any')).toBe(unavailable);
  });
});
