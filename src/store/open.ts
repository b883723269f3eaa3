/**
 * Picks and opens the store the configuration names: a SQLite file in the data directory, or a
 * PostgreSQL database shared by several basalt processes.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import { type Store, StoreError } from './types.js';

/** Where the store lives: a data directory (SQLite) or a PostgreSQL URL. */
export type StoreOptions = { dataDir: string } | { databaseUrl: string };

/**
 * Opens the store: with `dataDir`, the SQLite database `<dataDir>/basalt.db` (the directory is
 * created with mode 0700 when missing; an existing one keeps its mode); with `databaseUrl`, the
 * PostgreSQL database it names, which must start with `postgres://` or `postgresql://`. Either
 * way the schema is migrated before the store is returned. Throws StoreError('Unavailable') when
 * the store cannot be opened; messages never repeat the URL, which may carry a password.
 */
export async function openStore(opts: StoreOptions): Promise<Store> {
  if ('databaseUrl' in opts) {
    if (!/^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
      const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(opts.databaseUrl)?.[0] ?? '(none)';
      throw new StoreError(
        'Unavailable',
        `the database URL must start with postgres:// or postgresql://, but its scheme is ${scheme}`,
      );
    }
    return openPostgresStore(opts.databaseUrl);
  }
  try {
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StoreError(
      'Unavailable',
      `cannot create the data directory ${opts.dataDir}: ${(error as Error).message}`,
    );
  }
  return openSqliteStore(join(opts.dataDir, 'basalt.db'));
}
