// The Terraform provider `keywarden`: resource keywarden_api_key, data sources
// keywarden_api_key and keywarden_scopes, on the plugin framework.
import { defineProvider } from '../plugin/index.js';
import { apiKeyDataSource } from './api-key-data-source.js';
import { apiKeyResource } from './api-key-resource.js';
import { configureProvider, providerSchema, type KeywardenProviderData } from './provider-config.js';
import { scopesDataSource } from './scopes-data-source.js';

/** The provider's source address; `terraform { required_providers { keywarden = { source = "keywarden/keywarden" } } }`. */
export const PROVIDER_ADDRESS = 'registry.terraform.io/keywarden/keywarden';
/** The provider's version, as installed by `keywarden provider install`. */
export const PROVIDER_VERSION = '0.1.0';

export const keywardenProvider = defineProvider<KeywardenProviderData | undefined>({
  typeName: 'keywarden',
  address: PROVIDER_ADDRESS,
  schema: providerSchema,
  configure: ({ config }, { diagnostics }) => configureProvider(config, diagnostics),
  resources: [apiKeyResource],
  dataSources: [apiKeyDataSource, scopesDataSource],
});

export { configureProvider, ENVIRONMENT } from './provider-config.js';
export type { KeywardenProviderData } from './provider-config.js';
export { DELIVERY_ROTATION_OVERLAP } from './api-key-resource.js';
