// `npm run crds`: writes charts/keywarden/crds/*.yaml from src/operator/crds.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crdFiles } from './crds.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'charts', 'keywarden', 'crds');
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(crdFiles())) {
  writeFileSync(join(dir, file), text);
  process.stderr.write(`wrote ${join(dir, file)}\n`);
}
