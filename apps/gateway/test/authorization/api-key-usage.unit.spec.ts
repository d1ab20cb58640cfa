import type { ApiKeysUsedMessage } from '@orgplane/contracts';
import { ApiKeyUsage } from '../../src/authorization/api-key-usage';
import { manualClock } from '../conventions/conventions-test-app';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

function setUp() {
  const clock = manualClock(new Date('2026-03-01T12:00:30.000Z'));
  const sent: ApiKeysUsedMessage[] = [];
  const usage = new ApiKeyUsage((message) => sent.push(message), clock, 5000);
  return { clock, sent, usage };
}

describe('ApiKeyUsage', () => {
  it('reports each key at most once a minute, in one message, stamped with the minute', () => {
    const { sent, usage } = setUp();
    for (let use = 0; use < 50; use++) usage.record(A);
    usage.record(B);
    usage.flush();
    expect(sent).toEqual([{ keyIds: [A, B], usedAt: '2026-03-01T12:00:00.000Z' }]);
    usage.record(A);
    usage.flush();
    expect(sent).toHaveLength(1);
  });

  it('reports a key again in the next minute; uses of two minutes go out with their own', () => {
    const { clock, sent, usage } = setUp();
    usage.record(A);
    clock.advance(30_000);
    usage.record(A);
    usage.record(B);
    usage.flush();
    expect(sent).toEqual([
      { keyIds: [A], usedAt: '2026-03-01T12:00:00.000Z' },
      { keyIds: [A, B], usedAt: '2026-03-01T12:01:00.000Z' },
    ]);
  });

  it('sends what is left on shutdown, and nothing when nothing was used', () => {
    const { sent, usage } = setUp();
    usage.flush();
    expect(sent).toEqual([]);
    usage.onApplicationBootstrap();
    usage.record(B);
    usage.beforeApplicationShutdown();
    expect(sent).toEqual([{ keyIds: [B], usedAt: '2026-03-01T12:00:00.000Z' }]);
  });
});
