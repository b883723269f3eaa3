/**
 * The SQLite store (better-sqlite3), for a single basalt process or several on one machine.
 *
 * Two connections: the writer runs write transactions, the reader serves every read outside
 * them. better-sqlite3 is synchronous but a write callback is async, so other requests run while
 * a transaction is open; in WAL mode the reader keeps seeing the last committed state, never the
 * open transaction's writes. Writes of one store are queued (engine.ts); writes of other stores
 * on the same file, in this process or another, are excluded by SQLite's write lock, which
 * `BEGIN IMMEDIATE` takes up front.
 *
 * Durability: WAL with synchronous=FULL fsyncs the WAL on every commit, so a write whose
 * `write()` resolved survives SIGKILL and power loss (https://www.sqlite.org/pragma.html#pragma_synchronous).
 */

import { closeSync, openSync, readSync, realpathSync } from 'node:fs';
import { endianness } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { type Executor, type OpenTransaction, storeOver } from './engine.js';
import { applyMigrations } from './migrations.js';
import { BUMP_REVISION, integer, type SqlValue } from './sql.js';
import { type Store, StoreError } from './types.js';

/** How long a read may wait synchronously for a lock (rare in WAL mode: recovery, a checkpoint restart). */
const READ_BUSY_TIMEOUT_MS = 5000;

/**
 * How long `write` keeps retrying to take the write lock held by another connection. The retry
 * sleeps asynchronously: SQLite's own busy handler would block the event loop, and with two
 * stores on one file in one process, the holder's callback could never finish.
 */
const WRITE_LOCK_DEADLINE_MS = 30_000;

/**
 * Opens (creating if missing, mode 0600) the SQLite database `file` and migrates it to the
 * current schema. The directory must exist. Two stores may open the same file, in one process or
 * several: they see each other's committed writes and share one revision. Throws
 * StoreError('Unavailable') when the file cannot be opened or is not a usable database.
 */
export async function openSqliteStore(file: string): Promise<Store> {
  createFile(file);
  let writer: Database.Database | undefined;
  let reader: Database.Database | undefined;
  try {
    // The writer never waits inside SQLite: lock waits are retried asynchronously (see below).
    const w = connect(file, 0);
    writer = w;
    // WAL first (it is a property of the file), then the reader, which inherits it.
    const mode = await retryWhileBusy(w, () => w.pragma('journal_mode = WAL', { simple: true }));
    if (mode !== 'wal') throw new StoreError('Unavailable', `${file}: SQLite refused WAL mode (got ${String(mode)})`);
    const r = connect(file, READ_BUSY_TIMEOUT_MS);
    reader = r;
    r.pragma('query_only = ON');
    const writes = executor(w);
    await withWriteLock(w, () => applyMigrations(writes, 'sqlite'));
    const marker = walIndexHeader(file);
    return storeOver({
      dialect: 'sqlite',
      reads: executor(r),
      begin: () => begin(w, writes),
      commitMarker: marker.read,
      close: async () => {
        r.close();
        w.close();
        // After the connections: closing the file's descriptor while they use it would drop their locks.
        marker.close();
      },
    });
  } catch (error) {
    reader?.close();
    writer?.close();
    throw mapSqliteError(error, file);
  }
}

/** The two copies of the WAL-index header at the start of the -shm file, 48 bytes each. */
const WAL_INDEX_HEADER_BYTES = 96;
/** The WAL-index format version in the header's first field ("WAL-mode File Format"). */
const WAL_INDEX_VERSION = 3007000;
const readVersion = endianness() === 'LE' ? 'readUInt32LE' : 'readUInt32BE';

/**
 * The descriptors of the -shm files the stores of this process read, one per file, shared, and
 * closed only when the last store using it closes (after its connections). A POSIX process loses
 * every lock it holds on a file when it closes any descriptor of that file, so closing one while a
 * SQLite connection of this process still uses the file would drop that connection's locks on it.
 */
const shmFiles = new Map<string, { fd: number; users: number }>();

/**
 * The store's commit marker (Driver.commitMarker): the WAL-index header, read from the `-shm` file
 * with one pread and no lock. "WAL-mode File Format" (https://www.sqlite.org/walformat.html), "The
 * WAL-Index Header": the header holds a change counter "incremented with each transaction", the
 * number of valid frames and the salts, and a writer rewrites both copies (the second first) as it
 * commits, before the commit returns; every connection to the file, in any process, maps that same
 * file. Equal bytes therefore mean no commit since. The revision read it saves is a SQLite read
 * transaction whose two fcntl lock calls cost about 28 µs per request under load (bench/README.md).
 * The file is named as SQLite names it, after the database path's symbolic links are resolved; a
 * header that is not a valid, settled SQLite header (version, initialised flag, two equal copies),
 * or a file that cannot be read, gives no marker, and the revision is read with SQL.
 */
function walIndexHeader(file: string): { read: () => Buffer | undefined; close: () => void } {
  let shm: string | undefined;
  try {
    shm = `${realpathSync(file)}-shm`;
    const open = shmFiles.get(shm);
    if (open !== undefined) open.users++;
    else shmFiles.set(shm, { fd: openSync(shm, 'r'), users: 1 });
  } catch {
    shm = undefined;
  }
  const header = Buffer.alloc(WAL_INDEX_HEADER_BYTES);
  const half = WAL_INDEX_HEADER_BYTES / 2;
  return {
    read: () => {
      const open = shm === undefined ? undefined : shmFiles.get(shm);
      if (open === undefined) return undefined;
      try {
        if (readSync(open.fd, header, 0, WAL_INDEX_HEADER_BYTES, 0) !== WAL_INDEX_HEADER_BYTES) return undefined;
      } catch {
        return undefined;
      }
      const settled =
        header[readVersion](0) === WAL_INDEX_VERSION &&
        header[12] === 1 &&
        header.compare(header, 0, half, half, WAL_INDEX_HEADER_BYTES) === 0;
      return settled ? header : undefined;
    },
    close: () => {
      const open = shm === undefined ? undefined : shmFiles.get(shm);
      if (shm === undefined || open === undefined) return;
      shm = undefined;
      if (--open.users > 0) return;
      for (const [name, entry] of shmFiles) if (entry === open) shmFiles.delete(name);
      closeSync(open.fd);
    },
  };
}

/** Creates the database file with mode 0600 unless it exists, so no other user can ever read it. */
function createFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code === 'ENOENT') {
      throw new StoreError('Unavailable', `cannot create ${file}: its directory does not exist; create it first`);
    }
    throw new StoreError('Unavailable', `cannot create ${file}: ${(error as Error).message}`);
  }
}

/** One connection with the store's settings; `busyTimeout` is how long a statement may block waiting for a lock. */
function connect(file: string, busyTimeout: number): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true, timeout: busyTimeout });
    db.pragma('synchronous = FULL');
    return db;
  } catch (error) {
    db?.close();
    throw mapSqliteError(error, file);
  }
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement<SqlValue[]>>>();

/** The prepared statement for this text on this connection, prepared once and then cached. */
function prepared(db: Database.Database, sql: string): Database.Statement<SqlValue[]> {
  let cache = statements.get(db);
  if (cache === undefined) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = db.prepare<SqlValue[]>(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/** Statements run on one connection. */
function executor(db: Database.Database): Executor {
  return {
    all: async (sql, params) => {
      try {
        return prepared(db, sql).all(...params) as Record<string, unknown>[];
      } catch (error) {
        throw mapSqliteError(error, db.name);
      }
    },
    run: async (sql, params) => {
      try {
        return prepared(db, sql).run(...params).changes;
      } catch (error) {
        throw mapSqliteError(error, db.name);
      }
    },
  };
}

/** Runs fn between BEGIN IMMEDIATE and COMMIT (ROLLBACK when it throws); used for migrations. */
async function withWriteLock<T>(db: Database.Database, fn: () => Promise<T>): Promise<T> {
  await beginImmediate(db);
  try {
    const result = await fn();
    prepared(db, 'COMMIT').run();
    return result;
  } catch (error) {
    rollback(db);
    throw error;
  }
}

/** Begins a write transaction and bumps the revision as its first statement. */
async function begin(db: Database.Database, exec: Executor): Promise<OpenTransaction> {
  await beginImmediate(db);
  let revision: number;
  try {
    revision = integer((await exec.all(BUMP_REVISION, []))[0], 'revision');
  } catch (error) {
    rollback(db);
    throw error;
  }
  return {
    exec,
    revision,
    commit: async () => {
      try {
        prepared(db, 'COMMIT').run();
      } catch (error) {
        rollback(db);
        throw mapSqliteError(error, db.name);
      }
    },
    rollback: async () => rollback(db),
  };
}

function rollback(db: Database.Database): void {
  try {
    if (db.inTransaction) prepared(db, 'ROLLBACK').run();
  } catch {
    // A failed ROLLBACK leaves nothing to do: SQLite rolls back an interrupted transaction itself.
  }
}

/** Takes the write lock, retrying asynchronously while another connection holds it. */
function beginImmediate(db: Database.Database): Promise<void> {
  return retryWhileBusy(db, () => {
    prepared(db, 'BEGIN IMMEDIATE').run();
  });
}

/**
 * Runs fn until it does not fail with SQLITE_BUSY, sleeping (not blocking the event loop)
 * between attempts, for at most WRITE_LOCK_DEADLINE_MS.
 */
async function retryWhileBusy<T>(db: Database.Database, fn: () => T): Promise<T> {
  const deadline = Date.now() + WRITE_LOCK_DEADLINE_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    try {
      return fn();
    } catch (error) {
      if (!isBusy(error)) throw mapSqliteError(error, db.name);
      if (Date.now() >= deadline) {
        throw new StoreError(
          'Unavailable',
          `${db.name}: another connection has held the write lock for over ${WRITE_LOCK_DEADLINE_MS / 1000} s`,
        );
      }
    }
    await sleep(delay);
  }
}

function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|CORRUPT|NOTADB|PERM|AUTH|NOLFS|PROTOCOL)/;

/** Translates a better-sqlite3 error into StoreError where the store has a code for it. */
function mapSqliteError(error: unknown, file: string): unknown {
  if (error instanceof StoreError) return error;
  const code = sqliteCode(error);
  const message = error instanceof Error ? error.message : String(error);
  let mapped: StoreError | undefined;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    mapped = new StoreError('Conflict', message);
  } else if (UNAVAILABLE.test(code)) {
    mapped = new StoreError('Unavailable', `${file}: ${message} (${code})`);
  } else if (error instanceof TypeError && /database connection is not open/.test(message)) {
    mapped = new StoreError('Unavailable', `${file}: the connection is closed`);
  }
  if (mapped === undefined) return error;
  mapped.cause = error;
  return mapped;
}
