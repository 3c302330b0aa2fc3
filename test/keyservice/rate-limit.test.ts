import { describe, expect, it } from '@jest/globals';
import { KeyRateLimiter } from '../../src/keyservice/rate-limit.js';
import { openStore } from '../../src/keyservice/store/index.js';

async function memoryLimiter(): Promise<{ limiter: KeyRateLimiter; close(): Promise<void> }> {
  const store = await openStore({ url: 'sqlite::memory:' });
  return { limiter: await KeyRateLimiter.create(store.backend, 1000), close: () => store.close() };
}

describe('per-key rate limits in process memory (SQLite)', () => {
  it('answers at once, allows exactly N per window and refuses the rest with the window end', async () => {
    const { limiter, close } = await memoryLimiter();
    try {
      const setting = { requests: 3, perSeconds: 60 };
      const t0 = 1_000_000;
      const decisions = [0, 1, 2, 3, 4].map((i) => limiter.consume('key_a', setting, t0 + i));
      for (const d of decisions) expect(d).not.toBeInstanceOf(Promise);
      expect(decisions.map((d) => 'allowed' in d && [d.allowed, d.remaining])).toEqual([
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
        [false, 0],
      ]);
      expect(decisions[4]).toMatchObject({ limit: 3, resetAt: t0 + 60_000 });
      // Another key has its own budget.
      expect(limiter.consume('key_b', setting, t0 + 5)).toMatchObject({ allowed: true, remaining: 2 });
    } finally {
      await close();
    }
  });

  it('starts a fresh window when the old one ends (service clock) and keeps the count when the limit changes', async () => {
    const { limiter, close } = await memoryLimiter();
    try {
      const t0 = 5_000_000;
      expect(limiter.consume('key_a', { requests: 2, perSeconds: 10 }, t0)).toMatchObject({ allowed: true, remaining: 1 });
      // Raising the limit inside the window keeps what was used.
      expect(limiter.consume('key_a', { requests: 5, perSeconds: 10 }, t0 + 1)).toMatchObject({ allowed: true, remaining: 3 });
      expect(limiter.consume('key_a', { requests: 2, perSeconds: 10 }, t0 + 2)).toMatchObject({ allowed: false, remaining: 0, resetAt: t0 + 10_000 });
      expect(limiter.consume('key_a', { requests: 2, perSeconds: 10 }, t0 + 10_000)).toMatchObject({ allowed: true, remaining: 1, resetAt: t0 + 20_000 });
      // A different window length is a different counter.
      expect(limiter.consume('key_a', { requests: 2, perSeconds: 3600 }, t0 + 10_001)).toMatchObject({ allowed: true, remaining: 1 });
    } finally {
      await close();
    }
  });
});
