import { describe, expect, it, jest } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { LazyChildLogger } from '../../src/keyservice/request-logger.js';

function parentLogger(level: string): { logger: FastifyBaseLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.length > 0) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream) as unknown as FastifyBaseLogger, lines };
}

describe('lazy per-request logger', () => {
  it('builds no child logger while nothing is written at an enabled level', () => {
    const { logger, lines } = parentLogger('info');
    const child = jest.spyOn(logger, 'child');
    const log = LazyChildLogger.factory(logger, { requestId: 'req_1' }, {});
    log.debug({ route: '/v1/verify' }, 'request');
    log.trace('nothing');
    expect((log as unknown as { isLevelEnabled(l: string): boolean }).isLevelEnabled('debug')).toBe(false);
    expect(log.level).toBe('info');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes the same lines as a child logger, with the request id bound', async () => {
    const { logger, lines } = parentLogger('debug');
    const log = LazyChildLogger.factory(logger, { requestId: 'req_2' }, {});
    log.info({ status: 200 }, 'request');
    log.error(new Error('boom'), 'failed');
    log.child({ extra: 1 }).warn('nested');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => [l.requestId, l.msg])).toEqual([
      ['req_2', 'request'],
      ['req_2', 'failed'],
      ['req_2', 'nested'],
    ]);
    expect(lines[0]).toMatchObject({ status: 200, level: 30 });
    expect(lines[1]).toMatchObject({ err: { message: 'boom' }, level: 50 });
    expect(lines[2]).toMatchObject({ extra: 1, level: 40 });
  });

  it('builds the child at once for a route with its own log level', () => {
    const { logger } = parentLogger('info');
    const log = LazyChildLogger.factory(logger, { requestId: 'req_3' }, { level: 'debug' });
    expect(log).not.toBeInstanceOf(LazyChildLogger);
    expect(log.level).toBe('debug');
  });
});
