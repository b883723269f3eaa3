/**
 * Test databases on the PostgreSQL server at BASALT_TEST_DATABASE_URL (default: the local server
 * with trust auth). Outside CI an unreachable server skips the tests that need it, with the reason;
 * under CI=true it fails them (.ci/run starts PostgreSQL).
 */

import pg from 'pg';

/** The admin connection URL. */
export const adminUrl = process.env.BASALT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of another database on the admin URL's server. */
export function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs fn on a connection to the admin database. */
export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database: its name, its URL and a function that drops it. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

let counter = 0;

/**
 * Creates a fresh database; rejects with the reason when the server cannot be reached. Its default
 * collation is ICU en-US when the server offers it, so tests of byte order prove the store's own
 * COLLATE "C" rather than the server's default locale.
 */
export async function freshDatabase(prefix = 'basalt_test'): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now()}_${counter++}`;
  await admin(async (c) => {
    try {
      await c.query(
        `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`,
      );
    } catch {
      await c.query(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Why PostgreSQL cannot be used here, or undefined when it can. */
export async function postgresUnavailable(): Promise<string | undefined> {
  try {
    await admin((c) => c.query('SELECT 1'));
    return undefined;
  } catch (e) {
    return `PostgreSQL not reachable at ${new URL(adminUrl).host}: ${(e as Error).message}`;
  }
}
