// When rotations are due: `every`, cron schedules with a window, the maximum lifetime.
import { describe, expect, it } from '@jest/globals';
import { dueRotation, nextRotation, rotationId, rotationPolicy } from '../../../src/operator/rotation/index.js';

const d = (text: string): Date => new Date(text);

describe('nextRotation', () => {
  it('counts `every` from the last successful rotation', () => {
    expect(nextRotation({ everySeconds: 86_400, overlapSeconds: 60 }, d('2026-03-01T10:00:00Z'), d('2026-03-01T10:00:00Z'))).toEqual(d('2026-03-02T10:00:00Z'));
  });

  it('takes the first cron occurrence after the last rotation', () => {
    // Sundays at 03:00 UTC; 2026-03-01 is a Sunday.
    expect(nextRotation({ schedule: '0 3 * * 0', overlapSeconds: 60 }, d('2026-03-01T04:00:00Z'), d('2026-03-01T04:00:00Z'))).toEqual(d('2026-03-08T03:00:00Z'));
  });

  it('skips occurrences whose window closed before now', () => {
    const policy = { schedule: '0 3 * * 0', windowSeconds: 7200, overlapSeconds: 60 };
    expect(nextRotation(policy, d('2026-03-01T04:00:00Z'), d('2026-03-08T04:59:59Z'))).toEqual(d('2026-03-08T03:00:00Z'));
    expect(nextRotation(policy, d('2026-03-01T04:00:00Z'), d('2026-03-08T05:00:01Z'))).toEqual(d('2026-03-15T03:00:00Z'));
  });

  it('caps the schedule at the maximum lifetime', () => {
    expect(nextRotation({ everySeconds: 90 * 86_400, maxLifetimeSeconds: 86_400, overlapSeconds: 60 }, d('2026-03-01T00:00:00Z'), d('2026-03-01T00:00:00Z'))).toEqual(d('2026-03-02T00:00:00Z'));
  });

  it('is undefined without a schedule or a lifetime, and for a schedule that does not parse', () => {
    expect(nextRotation({ overlapSeconds: 60 }, d('2026-03-01T00:00:00Z'), d('2030-01-01T00:00:00Z'))).toBeUndefined();
    expect(nextRotation({ schedule: 'not cron', overlapSeconds: 60 }, d('2026-03-01T00:00:00Z'), d('2030-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('dueRotation', () => {
  it('gives the scheduled time once it has passed, and nothing before', () => {
    const policy = { everySeconds: 3600, overlapSeconds: 60 };
    expect(dueRotation(policy, d('2026-03-01T00:00:00Z'), d('2026-03-01T00:59:59Z'))).toBeUndefined();
    expect(dueRotation(policy, d('2026-03-01T00:00:00Z'), d('2026-03-01T05:00:00Z'))).toEqual(d('2026-03-01T01:00:00Z'));
  });

  it('is not due in the gap between a closed window and the next occurrence', () => {
    expect(dueRotation({ schedule: '0 3 * * *', windowSeconds: 3600, overlapSeconds: 60 }, d('2026-03-01T04:00:00Z'), d('2026-03-02T05:00:00Z'))).toBeUndefined();
    expect(dueRotation({ schedule: '0 3 * * *', windowSeconds: 3600, overlapSeconds: 60 }, d('2026-03-01T04:00:00Z'), d('2026-03-02T03:30:00Z'))).toEqual(d('2026-03-02T03:00:00Z'));
  });
});

describe('rotationPolicy', () => {
  it('maps the spec rotation to seconds, with a 24h overlap by default', () => {
    expect(rotationPolicy({ every: { text: '30d', seconds: 2_592_000 }, overlap: { text: '1h', seconds: 3600 } })).toEqual({ everySeconds: 2_592_000, overlapSeconds: 3600 });
    expect(rotationPolicy({ schedule: '0 3 * * 0', window: { text: '2h', seconds: 7200 } }, { maxLifetimeSeconds: 100 })).toEqual({
      schedule: '0 3 * * 0',
      windowSeconds: 7200,
      overlapSeconds: 86_400,
      maxLifetimeSeconds: 100,
    });
    expect(rotationPolicy(undefined)).toEqual({ overlapSeconds: 86_400 });
  });
});

describe('rotationId', () => {
  it('is the same for the same key, time and attempt, and differs otherwise', () => {
    const a = rotationId('key_1', '2026-03-01T00:00:00.000Z', 0);
    expect(a).toMatch(/^rot-[0-9a-f]{32}$/);
    expect(rotationId('key_1', '2026-03-01T00:00:00.000Z', 0)).toBe(a);
    expect(rotationId('key_2', '2026-03-01T00:00:00.000Z', 0)).not.toBe(a);
    expect(rotationId('key_1', '2026-03-01T00:00:01.000Z', 0)).not.toBe(a);
    expect(rotationId('key_1', '2026-03-01T00:00:00.000Z', 1)).not.toBe(a);
  });
});
