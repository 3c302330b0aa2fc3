// Apply progress: Terraform's -json UI lines read as events, and the two renderings.
import { describe, expect, it } from '@jest/globals';
import { parseApplyLine } from '../../src/reconcile/apply-events.js';
import { Progress } from '../../src/reconcile/progress.js';

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, columns: 80, write: (t: string) => written.push(t) }, written };
}

describe('apply events', () => {
  it('reads start, complete, errored and diagnostic messages and ignores anything else', () => {
    const hook = { resource: { addr: 'keywarden_api_key.a' }, action: 'create' };
    expect(parseApplyLine(JSON.stringify({ type: 'apply_start', hook }))).toEqual({ type: 'start', address: 'keywarden_api_key.a', action: 'create' });
    expect(parseApplyLine(JSON.stringify({ type: 'apply_complete', hook: { ...hook, elapsed_seconds: 2 } }))).toEqual({ type: 'complete', address: 'keywarden_api_key.a', action: 'create', seconds: 2 });
    expect(parseApplyLine(JSON.stringify({ type: 'apply_errored', hook }))).toMatchObject({ type: 'errored' });
    expect(parseApplyLine(JSON.stringify({ type: 'diagnostic', diagnostic: { severity: 'error', summary: 'Key service unreachable', detail: 'd', address: 'keywarden_api_key.a' } }))).toEqual({
      type: 'diagnostic',
      severity: 'error',
      summary: 'Key service unreachable',
      detail: 'd',
      address: 'keywarden_api_key.a',
    });
    expect(parseApplyLine(JSON.stringify({ type: 'version' }))).toBeUndefined();
    expect(parseApplyLine('not json {')).toBeUndefined();
    expect(parseApplyLine('{ broken')).toBeUndefined();
  });
});

describe('progress', () => {
  it('writes plain lines, one per finished key, when not on a terminal', () => {
    const { stream, written } = sink(false);
    const progress = new Progress(stream);
    progress.begin('development', 2);
    progress.started('development-a', 'create');
    progress.finished('development-a', 'create', 0.25, true);
    progress.finished('development-b', 'delete', 1, false);
    progress.end();
    expect(written.join('')).toBe('  ✓ development-a created (0.3s)\n  ✗ development-b failed to delete (1.0s)\n');
  });

  it('keeps a status line on a terminal and clears it at the end', () => {
    const { stream, written } = sink(true);
    const progress = new Progress(stream);
    progress.begin('development', 2);
    progress.started('development-a', 'update');
    expect(written.at(-1)).toBe('\r\x1b[Kdevelopment: 0/2 · updating development-a');
    progress.finished('development-a', 'update', 0.1, true);
    progress.end();
    expect(written.join('')).toContain('  ✓ development-a updated (0.1s)\n');
    expect(written.at(-1)).toBe('\r\x1b[K');
  });

  it('passes every text through the redactor', () => {
    const { stream, written } = sink(false);
    const progress = new Progress(stream, (t) => t.replace('kw_live_SECRET', '[redacted]'));
    progress.line('leaked kw_live_SECRET');
    expect(written.join('')).toBe('leaked [redacted]\n');
  });
});
