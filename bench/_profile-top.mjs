// Summarises V8 .cpuprofile files: self time per function (top 30), to find what is slow.
// Usage: node bench/_profile-top.mjs FILE.cpuprofile [...]
import { readFileSync } from 'node:fs';

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const d = dt[i] ?? 0;
    total += d;
    const cf = node.callFrame;
    const where = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/.*?\/src\//, 'src/')}:${cf.lineNumber + 1}`;
    self.set(where, (self.get(where) ?? 0) + d);
  }
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [where, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${where}`);
  }
}
