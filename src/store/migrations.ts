/**
 * The schema, as an ordered list of versioned migrations. Each store applies the missing ones
 * when it opens, inside one transaction that the caller holds exclusively (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: pg_advisory_xact_lock), and records each version in basalt_migrations,
 * so opening is idempotent and several processes may open the same database at once.
 *
 * INVARIANT: a released migration is never edited; a schema change is a new entry at the end.
 * New entity kinds need no migration at all: they are rows of basalt_entities (docs/store.md).
 */

import type { Executor } from './engine.js';
import type { Dialect } from './sql.js';
import { StoreError } from './types.js';

/** One schema change: its statements per dialect, run in order. */
export interface Migration {
  version: number;
  description: string;
  sql: Record<Dialect, readonly string[]>;
}

/**
 * The PostgreSQL text type of every column the store compares or orders: `COLLATE "C"` makes
 * PostgreSQL compare bytes, as SQLite's BINARY collation does, whatever the database's locale.
 */
const PG_TEXT = 'text COLLATE "C"';

/** Every migration, in the order they apply. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'generic entity table and the revision counter',
    sql: {
      sqlite: [
        `CREATE TABLE basalt_entities (
          account_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          key TEXT NOT NULL,
          id TEXT,
          owner TEXT,
          target TEXT,
          path TEXT,
          body TEXT NOT NULL,
          PRIMARY KEY (account_id, kind, key)
        )`,
        'CREATE UNIQUE INDEX basalt_entities_kind_id ON basalt_entities (kind, id) WHERE id IS NOT NULL',
        'CREATE INDEX basalt_entities_owner ON basalt_entities (account_id, kind, owner, key)',
        'CREATE INDEX basalt_entities_target ON basalt_entities (account_id, kind, target, key)',
        'CREATE TABLE basalt_meta (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), revision INTEGER NOT NULL)',
        'INSERT INTO basalt_meta (singleton, revision) VALUES (1, 0)',
      ],
      postgres: [
        `CREATE TABLE basalt_entities (
          account_id ${PG_TEXT} NOT NULL,
          kind ${PG_TEXT} NOT NULL,
          key ${PG_TEXT} NOT NULL,
          id ${PG_TEXT},
          owner ${PG_TEXT},
          target ${PG_TEXT},
          path ${PG_TEXT},
          body text NOT NULL,
          PRIMARY KEY (account_id, kind, key)
        )`,
        'CREATE UNIQUE INDEX basalt_entities_kind_id ON basalt_entities (kind, id) WHERE id IS NOT NULL',
        'CREATE INDEX basalt_entities_owner ON basalt_entities (account_id, kind, owner, key)',
        'CREATE INDEX basalt_entities_target ON basalt_entities (account_id, kind, target, key)',
        'CREATE TABLE basalt_meta (singleton integer PRIMARY KEY CHECK (singleton = 1), revision bigint NOT NULL)',
        'INSERT INTO basalt_meta (singleton, revision) VALUES (1, 0)',
      ],
    },
  },
];

const CREATE_MIGRATIONS_TABLE: Record<Dialect, string> = {
  sqlite: 'CREATE TABLE IF NOT EXISTS basalt_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
  postgres:
    'CREATE TABLE IF NOT EXISTS basalt_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)',
};

/**
 * Applies the migrations that basalt_migrations does not list yet, in version order, and returns
 * their versions (empty when the schema is current). The caller runs this inside a transaction it
 * holds exclusively, so a failure leaves the schema as it was. A database that lists a version
 * this build does not know was migrated by a newer basalt; opening it is refused rather than
 * risking writes the newer schema does not expect.
 */
export async function applyMigrations(
  exec: Executor,
  dialect: Dialect,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await exec.run(CREATE_MIGRATIONS_TABLE[dialect], []);
  const applied = new Set((await exec.all('SELECT version FROM basalt_migrations', [])).map((r) => Number(r.version)));
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new StoreError(
      'Unavailable',
      `the database has schema version(s) ${unknown.join(', ')} that this basalt does not know; upgrade basalt`,
    );
  }
  const done: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    for (const statement of migration.sql[dialect]) await exec.run(statement, []);
    await exec.run('INSERT INTO basalt_migrations (version, applied_at) VALUES (?, ?)', [
      migration.version,
      new Date().toISOString(),
    ]);
    done.push(migration.version);
  }
  return done;
}
