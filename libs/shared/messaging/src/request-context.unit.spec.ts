import { MESSAGE_HEADERS, USER_AGENT_MAX_LENGTH } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import { createNatsHeaders } from './nats-headers';
import {
  acceptClientIp,
  acceptUserAgent,
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
  clientIp: '203.0.113.9',
  userAgent: 'orgplane-cli/1.4 (linux)',
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

describe('where a request came from', () => {
  it('keeps an address as people write it: IPv4, IPv6, and IPv4 seen through IPv6', () => {
    expect(acceptClientIp('198.51.100.23')).toBe('198.51.100.23');
    expect(acceptClientIp('2001:db8::7')).toBe('2001:db8::7');
    expect(acceptClientIp('::FFFF:198.51.100.23')).toBe('198.51.100.23');
    expect(acceptClientIp('::1')).toBe('::1');
  });

  it('drops what is not an address', () => {
    for (const value of [undefined, '', 'localhost', '198.51.100.23, 10.0.0.1', '::ffff:1.2.3']) {
      expect(acceptClientIp(value)).toBeUndefined();
    }
  });

  it('cuts a long user agent, blanks control characters, and calls blank absent', () => {
    expect(acceptUserAgent('x'.repeat(5000))).toHaveLength(USER_AGENT_MAX_LENGTH);
    expect(acceptUserAgent('curl/8.5\u0000\u001b[31m\tred')).toBe('curl/8.5  [31m red');
    expect(acceptUserAgent('  \t ')).toBeUndefined();
    expect(acceptUserAgent(undefined)).toBeUndefined();
  });

  it('arrives as the headers say, and a malformed address does not refuse the request', () => {
    const read = fromRequestHeaders(
      headersWith({
        [MESSAGE_HEADERS.clientIp]: 'not an address',
        [MESSAGE_HEADERS.userAgent]: `Mozilla/5.0 ${'y'.repeat(1000)}`,
      }),
    );
    expect(read.clientIp).toBeUndefined();
    expect(read.userAgent).toHaveLength(USER_AGENT_MAX_LENGTH);
    expect(read.userAgent).toMatch(/^Mozilla\/5\.0 y+$/);
  });

  it('is left out of the headers when unknown (a platform service calling for itself)', () => {
    const headers = toRequestHeaders({ requestId: 'req_x', correlationId: 'x', causationId: 'x' });
    expect(headers.get(MESSAGE_HEADERS.clientIp)).toBe('');
    expect(headers.get(MESSAGE_HEADERS.userAgent)).toBe('');
  });
});
