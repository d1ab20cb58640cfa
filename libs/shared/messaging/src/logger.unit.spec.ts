import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { runInRequestContext } from './request-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('test', 'info', destination) };
}

describe('createLogger', () => {
  it('stamps lines written inside a request with its ids', async () => {
    const { lines, logger } = capture();
    runInRequestContext({ requestId: 'req_1', correlationId: 'corr_1', causationId: 'req_1' }, () =>
      logger.info('inside'),
    );
    logger.info('outside');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({
      service: 'test',
      requestId: 'req_1',
      correlationId: 'corr_1',
    });
    expect(lines[1]).not.toHaveProperty('requestId');
  });

  it('never writes secret-ish fields', async () => {
    const { lines, logger } = capture();
    logger.info({
      password: 'p',
      payload: { value: 'v', name: 'n' },
      headers: { authorization: 'Bearer t' },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines[0]).toMatchObject({
      password: '[redacted]',
      payload: { value: '[redacted]', name: 'n' },
      headers: { authorization: '[redacted]' },
    });
  });
});
