// The Keywarden provider as the bindings generator sees it: its type name, address, version and
// schemas, taken from the provider module itself. Used by `npm run bindings` and the drift test;
// the stack never imports it (the provider's modules are not needed to synthesize).
import { apiKeyDataSource } from '../provider/keywarden/api-key-data-source.js';
import { apiKeyResource } from '../provider/keywarden/api-key-resource.js';
import { PROVIDER_ADDRESS, PROVIDER_VERSION } from '../provider/keywarden/index.js';
import { providerSchema } from '../provider/keywarden/provider-config.js';
import { scopesDataSource } from '../provider/keywarden/scopes-data-source.js';
import { generateBindings } from './bindings-generator.js';

/** File name (relative to src/stack/bindings/) → content, generated from the provider's schema. */
export function keywardenBindings(): Map<string, string> {
  return generateBindings({
    typeName: 'keywarden',
    address: PROVIDER_ADDRESS,
    version: PROVIDER_VERSION,
    schema: providerSchema,
    resources: [apiKeyResource],
    dataSources: [apiKeyDataSource, scopesDataSource],
  });
}
