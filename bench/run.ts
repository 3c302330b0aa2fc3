// `npm run bench -- NAME [args]`: runs bench/NAME.ts. Each bench prints progress to stderr
// and, as its last line on stdout, one JSON object with its figures.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
const names = name ? [name] : available;
for (const n of names) {
  if (!available.includes(n)) {
    process.stderr.write(`unknown bench "${n}"; available: ${available.join(', ')}\n`);
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(`${here}/${n}.ts`).href)) as {
    run(args: string[]): Promise<Record<string, unknown>>;
  };
  const result = await mod.run(args);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
