/**
 * The dialect-independent half of the store: the reads and writes of `StoreReader` and
 * `StoreWriter` over an `Executor` (one SQL connection or pool, `?` placeholders), the
 * transaction runner, and the in-process write queue. sqlite.ts and postgres.ts supply only a
 * `Driver`: how to run a statement, how to begin and end a transaction, how to close.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Dialect,
  decodeRow,
  deleteQuery,
  deleteWhereQuery,
  getByIdQuery,
  getQuery,
  insertQuery,
  integer,
  listQuery,
  type Query,
  SELECT_REVISION,
  type SqlValue,
  updateQuery,
} from './sql.js';
import {
  type Kind,
  type ListFilter,
  type Row,
  type Store,
  StoreError,
  type StoreReader,
  type StoreWriter,
} from './types.js';

/**
 * Runs statements in `?` placeholder form. Implementations translate driver errors: a unique
 * violation to StoreError('Conflict'), a lost or refused connection to StoreError('Unavailable').
 */
export interface Executor {
  /** The rows a statement returns. */
  all(sql: string, params: readonly SqlValue[]): Promise<Record<string, unknown>[]>;
  /** Runs a statement; the number of rows it changed. */
  run(sql: string, params: readonly SqlValue[]): Promise<number>;
}

/**
 * A write transaction a driver has begun. INVARIANT: the driver has already run BUMP_REVISION as
 * its first statement, so `revision` is the revision the transaction commits.
 */
export interface OpenTransaction {
  exec: Executor;
  revision: number;
  /** Commits; on failure it cleans up (rolls back, releases) and throws. */
  commit(): Promise<void>;
  /** Rolls back and releases; never throws. */
  rollback(): Promise<void>;
}

/** What a dialect provides to `storeOver`. */
export interface Driver {
  dialect: Dialect;
  /** Runs reads outside transactions: they see committed data only. */
  reads: Executor;
  /** Begins a write transaction (called one at a time: the write queue serialises). */
  begin(): Promise<OpenTransaction>;
  /**
   * Optional: bytes that change whenever any connection, in any process, commits a write, read
   * without a transaction; undefined when they cannot be read. Equal bytes at two moments mean no
   * commit completed between them, so the revision read at the first still holds at the second. The
   * returned buffer is reused by the next call.
   */
  commitMarker?(): Buffer | undefined;
  /** Closes every connection; called once, after the last write finished. */
  close(): Promise<void>;
}

function all(exec: Executor, q: Query): Promise<Record<string, unknown>[]> {
  return exec.all(q.sql, q.params);
}

/** The four reads, over whichever executor: the committed state or an open transaction. */
class Reads implements StoreReader {
  constructor(
    protected readonly dialect: Dialect,
    protected readonly exec: Executor,
  ) {}

  async get<K extends Kind>(kind: K, accountId: string, key: string): Promise<Row<K> | undefined> {
    const [record] = await all(this.exec, getQuery(kind, accountId, key));
    return record === undefined ? undefined : decodeRow<K>(record);
  }

  async getById<K extends Kind>(kind: K, id: string): Promise<Row<K> | undefined> {
    const [record] = await all(this.exec, getByIdQuery(kind, id));
    return record === undefined ? undefined : decodeRow<K>(record);
  }

  async list<K extends Kind>(kind: K, accountId: string, filter?: ListFilter): Promise<Row<K>[]> {
    const records = await all(this.exec, listQuery(this.dialect, 'rows', kind, accountId, filter));
    return records.map((record) => decodeRow<K>(record));
  }

  async count(kind: Kind, accountId: string, filter?: ListFilter): Promise<number> {
    const [record] = await all(this.exec, listQuery(this.dialect, 'count', kind, accountId, filter));
    return integer(record, 'n');
  }
}

/** The writes of one transaction; reads through it see its own writes. */
class Writes extends Reads implements StoreWriter {
  constructor(
    dialect: Dialect,
    exec: Executor,
    readonly revision: number,
  ) {
    super(dialect, exec);
  }

  async insert<K extends Kind>(row: Row<K>): Promise<void> {
    const q = insertQuery(row);
    if ((await this.exec.run(q.sql, q.params)) === 1) return;
    if ((await this.get(row.kind, row.accountId, row.key)) !== undefined) {
      throw new StoreError('Conflict', `${row.kind} "${row.key}" already exists in account ${row.accountId}`);
    }
    throw new StoreError('Conflict', `a ${row.kind} with id "${row.id ?? ''}" already exists`);
  }

  async update<K extends Kind>(row: Row<K>): Promise<void> {
    const q = updateQuery(row);
    if ((await this.exec.run(q.sql, q.params)) === 1) return;
    if ((await this.get(row.kind, row.accountId, row.key)) === undefined) {
      throw new StoreError('NotFound', `${row.kind} "${row.key}" does not exist in account ${row.accountId}`);
    }
    throw new StoreError('Conflict', `another ${row.kind} already has id "${row.id ?? ''}"`);
  }

  async delete(kind: Kind, accountId: string, key: string): Promise<boolean> {
    const q = deleteQuery(kind, accountId, key);
    return (await this.exec.run(q.sql, q.params)) > 0;
  }

  async deleteWhere(kind: Kind, accountId: string, filter: { owner?: string; target?: string }): Promise<number> {
    const q = deleteWhereQuery(kind, accountId, filter);
    return this.exec.run(q.sql, q.params);
  }
}

/**
 * Runs `fn` in the transaction `begin` opens: commits when it resolves, rolls back and rethrows
 * when it throws. A statement that failed inside the transaction dooms it even if `fn` caught the
 * error (PostgreSQL aborts the transaction on any failed statement; SQLite is made to agree), so
 * the commit is replaced by a rollback and that error is thrown. Once the transaction has ended,
 * the `tx` object refuses every call: a leaked `tx` must not write outside its transaction.
 */
export async function runTransaction<T>(
  dialect: Dialect,
  begin: () => Promise<OpenTransaction>,
  fn: (tx: StoreWriter) => Promise<T>,
): Promise<T> {
  const open = await begin();
  let ended = false;
  let failed: { error: unknown } | undefined;
  const guard = <R>(call: () => Promise<R>): Promise<R> => {
    if (ended) {
      return Promise.reject(new Error('this write transaction has already ended; use tx only inside its callback'));
    }
    return call().catch((error: unknown) => {
      failed ??= { error };
      throw error;
    });
  };
  const exec: Executor = {
    all: (sql, params) => guard(() => open.exec.all(sql, params)),
    run: (sql, params) => guard(() => open.exec.run(sql, params)),
  };
  let result: T;
  try {
    result = await fn(new Writes(dialect, exec, open.revision));
  } catch (error) {
    ended = true;
    await open.rollback();
    throw error;
  }
  ended = true;
  if (failed !== undefined) {
    await open.rollback();
    throw failed.error;
  }
  await open.commit();
  return result;
}

/** The run tokens of the writes whose callbacks the current async context is inside. */
const insideWrites = new AsyncLocalStorage<ReadonlySet<object>>();

/** Writes queued or running, in every store of the process (they share `insideWrites`). */
let pendingWrites = 0;

/**
 * Runs write transactions of one store one at a time, in call order. It also catches a `write`
 * issued from inside a callback of the same store, which would otherwise wait for itself forever.
 */
export class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  private active: object | undefined;

  /** Queues fn behind every earlier write; its result or error. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const outer = insideWrites.getStore();
    if (this.active !== undefined && outer?.has(this.active)) {
      return Promise.reject(
        new Error('store.write() was called inside a write callback of the same store; use the tx argument instead'),
      );
    }
    const token = {};
    pendingWrites++;
    const result = this.tail.then(async () => {
      this.active = token;
      try {
        return await insideWrites.run(new Set([...(outer ?? []), token]), fn);
      } finally {
        this.active = undefined;
      }
    });
    this.tail = result.then(
      () => this.settled(),
      () => this.settled(),
    );
    return result;
  }

  /**
   * Called as each write settles. When none is queued any more, the context tracking is switched
   * off: while an AsyncLocalStorage is enabled, Node (20) runs a hook on every promise of the
   * process, which cost a tenth of a model call's time in bench/gateway.ts; writes are rare, reads
   * are the hot path. The next write switches it on again (`run`).
   */
  private settled(): void {
    pendingWrites--;
    if (pendingWrites === 0) insideWrites.disable();
  }

  /** Resolves once every write queued so far has finished. */
  drain(): Promise<void> {
    return this.tail;
  }
}

/**
 * The `Store` over a driver: reads outside transactions go to `driver.reads`, writes are queued
 * in-process and run through `runTransaction`; after `close` every call fails with
 * StoreError('Unavailable') while writes queued before it still finish.
 */
export function storeOver(driver: Driver): Store {
  const queue = new WriteQueue();
  let closed: Promise<void> | undefined;
  const closedError = () => new StoreError('Unavailable', `the ${driver.dialect} store is closed`);
  const reads: Executor = {
    all: (sql, params) => (closed ? Promise.reject(closedError()) : driver.reads.all(sql, params)),
    run: (sql, params) => (closed ? Promise.reject(closedError()) : driver.reads.run(sql, params)),
  };
  const reader = new Reads(driver.dialect, reads);
  // One revision read serves every request of an event-loop turn: the requests a turn takes in
  // arrived together, and one SQLite read costs a request's file-lock system calls (PostgreSQL's a
  // round trip). A write of this process forgets it as it commits, so a request that follows a
  // write's answer reads again; another process's write is seen from the next turn.
  let turnRevision: Promise<number> | undefined;
  // The commit marker (see Driver.commitMarker) read just before the last revision read, and that
  // revision: while the marker is unchanged no commit has completed since, so the revision holds.
  let markedAt: Buffer | undefined;
  let markedRevision: Promise<number> | undefined;
  const forgetRevision = (): void => {
    turnRevision = undefined;
  };
  return {
    dialect: driver.dialect,
    get: (kind, accountId, key) => reader.get(kind, accountId, key),
    getById: (kind, id) => reader.getById(kind, id),
    list: (kind, accountId, filter) => reader.list(kind, accountId, filter),
    count: (kind, accountId, filter) => reader.count(kind, accountId, filter),
    write: (fn) => {
      if (closed) return Promise.reject(closedError());
      return queue.run(async () => {
        try {
          return await runTransaction(driver.dialect, () => driver.begin(), fn);
        } finally {
          forgetRevision();
          markedRevision = undefined;
        }
      });
    },
    revision: (fresh = false) => {
      if (turnRevision !== undefined && !fresh) return turnRevision;
      // INVARIANT: the marker is read before the revision, so a commit between the two changes the
      // marker and the next call reads again; a revision is reused only under the very marker that
      // preceded its read.
      const marker = closed ? undefined : driver.commitMarker?.();
      if (marker !== undefined && markedRevision !== undefined && markedAt?.equals(marker) === true) {
        turnRevision = markedRevision;
        setImmediate(forgetRevision);
        return markedRevision;
      }
      const read = reads.all(SELECT_REVISION, []).then((rows) => integer(rows[0], 'revision'));
      if (marker === undefined) markedRevision = undefined;
      else {
        markedAt = Buffer.from(marker);
        markedRevision = read;
        read.catch(() => {
          if (markedRevision === read) markedRevision = undefined;
        });
      }
      turnRevision = read;
      setImmediate(forgetRevision);
      // A failed read is not shared beyond the requests already waiting for it.
      read.catch(forgetRevision);
      return read;
    },
    close: () => {
      closed ??= queue.drain().then(() => driver.close());
      return closed;
    },
  };
}
