/**
 * The PostgreSQL store (node-postgres pool), for several basalt processes sharing one database.
 *
 * Every write transaction first bumps the single basalt_meta row
 * (`UPDATE basalt_meta SET revision = revision + 1 RETURNING revision`). The row lock it takes is
 * held to COMMIT, so write transactions of all processes run one after another in revision
 * order; under READ COMMITTED each later statement of the transaction sees every write committed
 * before it got the lock, so a read-modify-write inside `write()` never loses an update.
 * Reads outside transactions go to the pool and see committed data only.
 *
 * Writes of one process are also queued in-process (engine.ts): the row lock would serialise
 * them anyway, and queuing keeps waiting writers from holding pool connections that reads need.
 */

import { Pool, type PoolClient } from 'pg';
import { type Executor, type OpenTransaction, storeOver } from './engine.js';
import { applyMigrations } from './migrations.js';
import { BUMP_REVISION, integer, toPostgres } from './sql.js';
import { type Store, StoreError } from './types.js';

/** The advisory lock key that serialises migrations of processes opening the same database ("basalt" in ASCII). */
const MIGRATION_LOCK = '108170116213876';

/** How long to wait for a new connection before reporting the database unavailable. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connects to the PostgreSQL database at `url` (postgres:// or postgresql://, with the usual
 * libpq parameters such as sslmode), migrates it to the current schema and returns the store.
 * Opening is safe while other processes open or use the same database. Throws
 * StoreError('Unavailable') when the database cannot be reached; no message ever contains the
 * URL's credentials.
 */
export async function openPostgresStore(url: string): Promise<Store> {
  const where = describe(url);
  const pool = new Pool({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle pooled connection that breaks (server restart, network) is dropped by the pool and
  // replaced on the next query; without a listener the 'error' event would end the process.
  pool.on('error', () => {});
  try {
    await migrate(pool, where);
  } catch (error) {
    await pool.end().catch(() => {});
    throw mapPgError(error, where);
  }
  return storeOver({
    dialect: 'postgres',
    reads: executor(pool, where),
    begin: () => begin(pool, where),
    close: () => pool.end(),
  });
}

/** Applies missing migrations while holding the migration advisory lock. */
async function migrate(pool: Pool, where: string): Promise<void> {
  const client = await checkout(pool, where);
  let broken = false;
  try {
    const encoding = (await client.connection.query('SHOW server_encoding')).rows[0]?.server_encoding;
    if (encoding !== 'UTF8' && encoding !== 'SQL_ASCII') {
      throw new StoreError(
        'Unavailable',
        `${where}: the database encoding is ${String(encoding)}, which cannot hold every IAM name; create the database with ENCODING 'UTF8'`,
      );
    }
    await client.connection.query('BEGIN');
    await client.connection.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await applyMigrations(executor(client.connection, where), 'postgres');
    await client.connection.query('COMMIT');
  } catch (error) {
    broken = await client.connection.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A pooled connection with an error listener for as long as it is checked out. */
interface Checkout {
  connection: PoolClient;
  /** Returns the connection to the pool, or discards it when it may be unusable. */
  release(destroy: boolean): void;
}

async function checkout(pool: Pool, where: string): Promise<Checkout> {
  let connection: PoolClient;
  try {
    connection = await pool.connect();
  } catch (error) {
    throw mapPgError(error, where);
  }
  // The pool removes its own listener while a connection is checked out; a connection lost in the
  // middle of a transaction would otherwise raise an unhandled 'error'. The next query fails instead.
  const ignore = () => {};
  connection.on('error', ignore);
  let released = false;
  return {
    connection,
    release(destroy) {
      if (released) return;
      released = true;
      connection.off('error', ignore);
      connection.release(destroy);
    },
  };
}

/** Statements run through the pool (reads outside transactions) or one checked-out connection. */
function executor(target: Pool | PoolClient, where: string): Executor {
  return {
    all: async (sql, params) => {
      try {
        return (await target.query<Record<string, unknown>>(toPostgres(sql), [...params])).rows;
      } catch (error) {
        throw mapPgError(error, where);
      }
    },
    run: async (sql, params) => {
      try {
        return (await target.query(toPostgres(sql), [...params])).rowCount ?? 0;
      } catch (error) {
        throw mapPgError(error, where);
      }
    },
  };
}

/**
 * Begins a write transaction: READ COMMITTED (stated, so a server default of REPEATABLE READ
 * cannot turn waiting for the revision lock into serialisation failures), then the revision bump.
 */
async function begin(pool: Pool, where: string): Promise<OpenTransaction> {
  const client = await checkout(pool, where);
  const exec = executor(client.connection, where);
  let revision: number;
  try {
    await client.connection.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    revision = integer((await exec.all(BUMP_REVISION, []))[0], 'revision');
  } catch (error) {
    await client.connection.query('ROLLBACK').catch(() => {});
    client.release(true);
    throw mapPgError(error, where);
  }
  return {
    exec,
    revision,
    commit: async () => {
      let result: { command: string };
      try {
        result = await client.connection.query('COMMIT');
      } catch (error) {
        client.release(true);
        const mapped = mapPgError(error, where);
        if (mapped instanceof StoreError && mapped.code === 'Unavailable') {
          throw new StoreError(
            'Unavailable',
            `${where}: the connection failed during COMMIT; the write may or may not have been applied`,
          );
        }
        throw mapped;
      }
      client.release(false);
      // PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK and no error.
      if (result.command !== 'COMMIT') {
        throw new StoreError('Unavailable', `${where}: PostgreSQL rolled the transaction back instead of committing`);
      }
    },
    rollback: async () => {
      const ok = await client.connection.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      client.release(!ok);
    },
  };
}

/** SQLSTATE classes and codes that mean the database cannot serve us right now. */
const UNAVAILABLE_STATES = /^(08|28|53|57P|3D000$)/;
/** Node.js socket errors. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
/** node-postgres reports these without a code. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end|Client was closed/i;

/** Translates a node-postgres error into StoreError where the store has a code for it. */
function mapPgError(error: unknown, where: string): unknown {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  let mapped: StoreError | undefined;
  if (code === '23505') {
    mapped = new StoreError('Conflict', message);
  } else if (
    (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNO.has(code))) ||
    UNAVAILABLE_MESSAGES.test(message)
  ) {
    mapped = new StoreError('Unavailable', `${where} is unavailable: ${message}`);
  }
  if (mapped === undefined) return error;
  mapped.cause = error;
  return mapped;
}

/** The URL without credentials or parameters, for messages. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'PostgreSQL (the configured URL cannot be parsed)';
  }
}
