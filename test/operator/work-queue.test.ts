// The work queue: de-duplication, no concurrent processing of one key, re-queue of a key added
// while processed, scheduled wake-ups (earliest wins), exponential backoff, shutdown.
import { describe, expect, it } from '@jest/globals';
import { WorkQueue } from '../../src/operator/work-queue.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WorkQueue', () => {
  it('hands out each key once however often it was added, in order', async () => {
    const q = new WorkQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b']) q.add(key);
    expect(q.length).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['a', 'b', 'c']);
    expect(q.length).toBe(0);
  });

  it('does not hand out a key being processed; one added meanwhile comes back after done()', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    q.done(key!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.length).toBe(0);
  });

  it('wakes a waiting consumer when a key arrives', async () => {
    const q = new WorkQueue();
    const pending = q.get();
    q.add('x');
    expect(await pending).toBe('x');
  });

  it('queues a scheduled key only when its time has come; the earlier of two schedules wins', async () => {
    let clock = 1000;
    const q = new WorkQueue({ now: () => clock });
    q.addAfter('a', 60_000);
    q.addAfter('a', 1);
    q.addAfter('a', 120_000);
    expect(q.scheduledCount).toBe(1);
    expect(q.length).toBe(0);
    clock += 1;
    expect(await q.get()).toBe('a');
    expect(q.scheduledCount).toBe(0);
    q.shutDown();
  });

  it('a later add() supersedes a schedule', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 60_000);
    q.add('a');
    expect(q.scheduledCount).toBe(0);
    expect(await q.get()).toBe('a');
    q.shutDown();
  });

  it('backs a failing key off exponentially until it is forgotten', async () => {
    let clock = 0;
    const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000, now: () => clock });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      q.addRateLimited('k');
      delays.push(q.scheduledAt('k')! - clock);
      q.add('k'); // processed at once instead (supersedes the schedule)
      q.done((await q.get())!);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(q.retries('k')).toBe(6);
    q.forget('k');
    expect(q.retries('k')).toBe(0);
    clock = 5;
    q.addRateLimited('k');
    expect(q.scheduledAt('k')).toBe(105);
    q.shutDown();
  });

  it('on shutdown resolves waiting consumers with undefined and accepts no more keys', async () => {
    const q = new WorkQueue();
    const pending = q.get();
    q.shutDown();
    expect(await pending).toBeUndefined();
    q.add('a');
    await settle();
    expect(q.length).toBe(0);
    expect(await q.get()).toBeUndefined();
  });
});
