import { describe, expect, it } from '@jest/globals';
import { useColor } from '../../src/cli/terminal.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colour decision', () => {
  it('colours a terminal and nothing else by default', () => {
    expect(useColor(tty, {})).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor({}, {})).toBe(false);
  });

  it('turns colour off with NO_COLOR or a dumb terminal', () => {
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(useColor(tty, { NO_COLOR: '' })).toBe(true);
  });

  it('lets FORCE_COLOR win either way', () => {
    expect(useColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: 'true', NO_COLOR: '1' })).toBe(true);
    expect(useColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });
});
