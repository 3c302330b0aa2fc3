// Writes schemas/*.schema.json from src/spec/schema.ts. Run with `npm run schemas`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PUBLISHED_SCHEMAS, schemaText, type SchemaName } from '../src/spec/published-schemas.js';

for (const name of Object.keys(PUBLISHED_SCHEMAS) as SchemaName[]) {
  const target = fileURLToPath(new URL(PUBLISHED_SCHEMAS[name].file, import.meta.url));
  writeFileSync(target, schemaText(name));
  process.stderr.write(`wrote ${target}\n`);
}
