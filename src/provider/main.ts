// Executable entry of terraform-provider-keywarden (bundled by `keywarden provider install`).
// Only the plugin's start-up code is loaded before the handshake line; the provider itself
// (and through it the codec, schemas and resources) loads while Terraform connects.
import { main } from './plugin/serve.js';

await main(() => import('./keywarden/index.js').then((m) => m.keywardenProvider));
