import { describe, expect, it } from '@jest/globals';
import { FailureAuditThrottle, MAX_TRACKED_FAILURE_GROUPS } from '../../src/keyservice/failure-audit-throttle.js';

describe('failure audit throttle', () => {
  it('writes the first failure of a group, leaves the rest of the window out and reports their number with the next event', () => {
    const t = new FailureAuditThrottle<string>(60_000);
    expect(t.decide('NOT_FOUND/-/203.0.113.9', 'NOT_FOUND', 'e1', 0)).toEqual({ write: true, suppressed: 0 });
    for (let i = 1; i <= 99; i++) expect(t.decide('NOT_FOUND/-/203.0.113.9', 'NOT_FOUND', `e${i}`, i * 100).write).toBe(false);
    expect(t.decide('NOT_FOUND/-/203.0.113.9', 'NOT_FOUND', 'late', 60_000)).toEqual({ write: true, suppressed: 99 });
  });

  it('keeps groups apart: another address or code is written at once', () => {
    const t = new FailureAuditThrottle<string>(60_000);
    t.decide('NOT_FOUND/-/a', 'NOT_FOUND', 'x', 0);
    expect(t.decide('NOT_FOUND/-/b', 'NOT_FOUND', 'x', 1).write).toBe(true);
    expect(t.decide('REVOKED/key_1/a', 'REVOKED', 'x', 2).write).toBe(true);
  });

  it('drains one summary per ended window that left failures out, with the latest event', () => {
    const t = new FailureAuditThrottle<string>(60_000);
    t.decide('g1', 'C', 'first', 0);
    t.decide('g1', 'C', 'second', 10);
    t.decide('g1', 'C', 'third', 20);
    t.decide('g2', 'C', 'only', 0);
    expect(t.drain(59_999)).toEqual([]);
    expect(t.drain(60_000)).toEqual([{ event: 'third', suppressed: 2 }]);
    expect(t.size).toBe(0);
    expect(t.decide('g1', 'C', 'again', 60_001)).toEqual({ write: true, suppressed: 0 });
  });

  it('stays bounded under a spray of distinct groups: the overflow shares one group per code', () => {
    const t = new FailureAuditThrottle<number>(60_000);
    let written = 0;
    for (let i = 0; i < MAX_TRACKED_FAILURE_GROUPS + 5000; i++) if (t.decide(`NOT_FOUND/-/ip${i}`, 'NOT_FOUND', i, 1000).write) written++;
    expect(t.size).toBe(MAX_TRACKED_FAILURE_GROUPS + 1);
    expect(written).toBe(MAX_TRACKED_FAILURE_GROUPS + 1);
    expect(t.drain(61_000)).toEqual([{ event: MAX_TRACKED_FAILURE_GROUPS + 4999, suppressed: 4999 }]);
  });
});
