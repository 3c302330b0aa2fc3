// `keywarden schema [apikey|project]`: prints the JSON Schema of a document kind.
import { Argument, type Command } from 'commander';
import { PUBLISHED_SCHEMAS, schemaText, type SchemaName } from '../../spec/published-schemas.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('Print the JSON Schema (2020-12) of an ApiKey spec or of the project file keywarden.yaml')
    .addArgument(new Argument('[kind]', 'which document').choices(Object.keys(PUBLISHED_SCHEMAS)).default('apikey'))
    .action((kind: SchemaName) => {
      process.stdout.write(schemaText(kind));
    });
}
