import { MESSAGE_HEADERS } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import { createNatsHeaders } from './nats-headers';
import {
  fromRequestHeaders,
  requireCaller,
  toRequestHeaders,
  type RequestContext,
} from './request-context';

const context: RequestContext = {
  requestId: 'req_abc',
  correlationId: 'corr-1',
  causationId: 'req_abc',
  caller: {
    type: 'user',
    userId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    organizationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    role: 'admin',
  },
  minPosition: { commit: 12n, prepare: 3n },
};

function headersWith(values: Record<string, string>) {
  const headers = createNatsHeaders();
  for (const [name, value] of Object.entries(values)) headers.set(name, value);
  return headers;
}

describe('request context in NATS headers', () => {
  it('travels whole', () => {
    expect(fromRequestHeaders(toRequestHeaders(context))).toEqual(context);
  });

  it('is complete without headers: a new request id that is also the correlation and cause', () => {
    const read = fromRequestHeaders(undefined);
    expect(read.requestId).toMatch(/^req_/);
    expect(read.correlationId).toBe(read.requestId);
    expect(read.causationId).toBe(read.requestId);
    expect(read.caller).toBeUndefined();
    expect(read.minPosition).toBeUndefined();
    expect(() => requireCaller(read)).toThrow(ServiceError);
  });

  it('replaces trace ids that do not look like ids', () => {
    const read = fromRequestHeaders(
      headersWith({
        [MESSAGE_HEADERS.requestId]: 'x'.repeat(200),
        [MESSAGE_HEADERS.correlationId]: 'a b',
      }),
    );
    expect(read.requestId).toMatch(/^req_/);
    expect(read.correlationId).toBe(read.requestId);
  });

  it('refuses a malformed caller or position, naming the header', () => {
    const read = () =>
      fromRequestHeaders(
        headersWith({
          [MESSAGE_HEADERS.caller]: '{"type":"user","userId":"nope"}',
          [MESSAGE_HEADERS.consistencyPosition]: '12',
        }),
      );
    expect(read).toThrow(ServiceError);
    try {
      read();
    } catch (error) {
      expect(Object.keys((error as ServiceError).details?.fields as object)).toEqual([
        MESSAGE_HEADERS.caller,
        MESSAGE_HEADERS.consistencyPosition,
      ]);
    }
  });
});
