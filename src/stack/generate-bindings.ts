// `npm run bindings`: writes src/stack/bindings/*.ts from the Keywarden provider's schema.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keywardenBindings } from './keywarden-bindings.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bindings');
mkdirSync(dir, { recursive: true });
const files = keywardenBindings();
// Files of elements the provider no longer has go too.
for (const stale of readdirSync(dir).filter((f) => f.endsWith('.ts') && !files.has(f))) rmSync(join(dir, stale));
for (const [file, text] of files) {
  writeFileSync(join(dir, file), text);
  process.stderr.write(`wrote ${join(dir, file)}\n`);
}
