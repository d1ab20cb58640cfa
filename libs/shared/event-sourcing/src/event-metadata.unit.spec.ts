import type { RequestContext } from '@orgplane/messaging';
import { toEventMetadata } from './event-metadata';

const organizationId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const fromHttp: RequestContext = {
  requestId: 'req_abc',
  correlationId: 'corr-1',
  causationId: 'req_abc',
  caller: { type: 'user', userId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
  clientIp: '203.0.113.9',
  userAgent: 'orgplane-cli/1.4',
};

describe('event metadata of a request', () => {
  it('names where the request came from', () => {
    expect(toEventMetadata(fromHttp, organizationId)).toEqual({
      orgId: organizationId,
      actor: { type: 'user', id: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
      requestId: 'req_abc',
      correlationId: 'corr-1',
      causationId: 'req_abc',
      ip: '203.0.113.9',
      userAgent: 'orgplane-cli/1.4',
    });
  });

  it('has no ip or userAgent field when no HTTP client started the request', () => {
    const fromPlatform = { ...fromHttp, clientIp: undefined, userAgent: undefined };
    const metadata = toEventMetadata(fromPlatform, organizationId, { type: 'system', id: 'tools' });
    expect(metadata).not.toHaveProperty('userAgent');
    expect(metadata).not.toHaveProperty('ip');
  });
});
