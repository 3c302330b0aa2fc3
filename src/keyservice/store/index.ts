// Public face of the key service's storage.
export type * from './store.js';
export { keyStatus, versionStatus, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './store.js';
export { StoreUnavailableError, InvalidCursorError } from './errors.js';
export { openStore, parseStoreUrl, type StoreLocation } from './open-store.js';
