// The schemas as published under schemas/ for editors (yaml-language-server) and tools.
// Generated from schema.ts by `npm run schemas`; a test keeps the files up to date.
import { apiKeySchema, projectSchema } from './schema.js';

/** Document kinds whose schema is published, by the name `keywarden schema` takes. */
export const PUBLISHED_SCHEMAS = {
  apikey: { file: 'apikey.schema.json', schema: apiKeySchema },
  project: { file: 'project.schema.json', schema: projectSchema },
} as const;

export type SchemaName = keyof typeof PUBLISHED_SCHEMAS;

/** The published text of a schema: two-space JSON with a final newline. */
export function schemaText(name: SchemaName): string {
  return `${JSON.stringify(PUBLISHED_SCHEMAS[name].schema, null, 2)}\n`;
}
