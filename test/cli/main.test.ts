import { describe, expect, it } from '@jest/globals';
import { main } from '../../src/cli/main.js';

describe('keywarden CLI', () => {
  it('exits 2 on an unknown command', async () => {
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['node', 'keywarden', 'no-such-command'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
  });
});
