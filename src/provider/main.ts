// Executable entry of terraform-provider-keywarden (bundled by `keywarden provider install`).
import { keywardenProvider } from './keywarden/index.js';
import { main } from './plugin/index.js';

await main(keywardenProvider);
