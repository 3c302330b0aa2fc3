import { describe, expect, it } from '@jest/globals';
import { createDestination, DeliveryError, FileDestination } from '../../src/delivery/index.js';

describe('local file delivery for live keys', () => {
  it('is refused with a clear error', () => {
    let err: unknown;
    try {
      new FileDestination({ path: '/tmp/never-written', mode: 'live' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).code).toBe('KW_DELIVERY_FILE_LIVE_KEY');
    expect((err as DeliveryError).message).toMatch(/only for keys of test-mode environments/);
  });

  it('is refused through the factory too', () => {
    expect(() => createDestination({ kind: 'file', path: '/tmp/never-written' }, { mode: 'live' })).toThrow(/KW_DELIVERY_FILE_LIVE_KEY/);
  });
});
