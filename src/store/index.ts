/** The store module's public surface: its domain types, the Store interface and `openStore`. */

export { openStore, type StoreOptions } from './open.js';
export { compareKeys } from './sql.js';
export * from './types.js';
