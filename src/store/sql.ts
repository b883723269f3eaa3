/**
 * The SQL text of every store query, written once for both dialects with `?` placeholders, and
 * the codecs between `Row` and a table row. PostgreSQL gets the same text with `$n` placeholders
 * (see `toPostgres`). The one place the dialects differ is the prefix test: SQLite has no
 * `starts_with`, PostgreSQL's `substr` counts bytes in a SQL_ASCII database; both forms below
 * compare the prefix literally (no LIKE, so `%` and `_` in a prefix mean themselves).
 *
 * Ordering: keys sort by their UTF-8 bytes in both dialects. SQLite's default BINARY collation is
 * memcmp over UTF-8; the PostgreSQL schema declares every text column `COLLATE "C"` (see
 * migrations.ts), which is the same order whatever the database's default collation is.
 */

import { type Kind, type ListFilter, type Row, StoreError } from './types.js';

/** The two SQL dialects the store speaks. */
export type Dialect = 'sqlite' | 'postgres';

/** A value bound to a placeholder. */
export type SqlValue = string | number | null;

/** One statement with its parameters, in `?` placeholder form. */
export interface Query {
  sql: string;
  params: SqlValue[];
}

const COLUMNS = 'account_id, kind, key, id, owner, target, path, body';
const FROM = 'FROM basalt_entities';

/** Reads the one revision row. */
export const SELECT_REVISION = 'SELECT revision FROM basalt_meta';

/**
 * Bumps the revision as the first statement of every write transaction. INVARIANT: on PostgreSQL
 * the row lock this takes is what serialises writers of all processes sharing the database, so
 * no store statement may run in a write transaction before it.
 */
export const BUMP_REVISION = 'UPDATE basalt_meta SET revision = revision + 1 RETURNING revision';

/** The query for one row by its primary key. */
export function getQuery(kind: Kind, accountId: string, key: string): Query {
  return {
    sql: `SELECT ${COLUMNS} ${FROM} WHERE account_id = ? AND kind = ? AND key = ?`,
    params: [accountId, kind, key],
  };
}

/** The query for one row by (kind, id); ids are unique per kind across accounts. */
export function getByIdQuery(kind: Kind, id: string): Query {
  return { sql: `SELECT ${COLUMNS} ${FROM} WHERE kind = ? AND id = ?`, params: [kind, id] };
}

/**
 * The query behind `list` (mode 'rows': ordered by key, limited) and `count` (mode 'count': the
 * number of rows `list` returns without a limit). Every filter field narrows the result; a
 * pathPrefix (even '') excludes rows without a path. The `col >= prefix` term is redundant with the prefix
 * test but lets the primary-key index start its range scan at the prefix.
 */
export function listQuery(
  dialect: Dialect,
  mode: 'rows' | 'count',
  kind: Kind,
  accountId: string,
  filter: ListFilter = {},
): Query {
  const where = ['account_id = ?', 'kind = ?'];
  const params: SqlValue[] = [accountId, kind];
  if (filter.owner !== undefined) {
    where.push('owner = ?');
    params.push(filter.owner);
  }
  if (filter.target !== undefined) {
    where.push('target = ?');
    params.push(filter.target);
  }
  for (const [column, prefix] of [
    ['path', filter.pathPrefix],
    ['key', filter.keyPrefix],
  ] as const) {
    if (prefix === undefined) continue;
    if (dialect === 'postgres') {
      where.push(`${column} >= ?`, `starts_with(${column}, ?)`);
      params.push(prefix, prefix);
    } else {
      // substr counts characters (code points) of UTF-8 text; so does the spread below.
      where.push(`${column} >= ?`, `substr(${column}, 1, ?) = ?`);
      params.push(prefix, [...prefix].length, prefix);
    }
  }
  if (filter.after !== undefined) {
    where.push('key > ?');
    params.push(filter.after);
  }
  const condition = where.join(' AND ');
  if (mode === 'count') return { sql: `SELECT count(*) AS n ${FROM} WHERE ${condition}`, params };
  let sql = `SELECT ${COLUMNS} ${FROM} WHERE ${condition} ORDER BY key`;
  if (filter.limit !== undefined) {
    if (!Number.isSafeInteger(filter.limit) || filter.limit < 0) {
      throw new RangeError(`list limit must be a non-negative integer, got ${String(filter.limit)}`);
    }
    sql += ' LIMIT ?';
    params.push(filter.limit);
  }
  return { sql, params };
}

/**
 * The insert of a new row. `ON CONFLICT DO NOTHING` without a target covers the primary key and
 * the (kind, id) index alike, so a duplicate shows as zero rows changed instead of a failed
 * statement, which would abort the whole transaction on PostgreSQL.
 */
export function insertQuery(row: Row): Query {
  return {
    sql: `INSERT INTO basalt_entities (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    params: [row.accountId, row.kind, row.key, ...secondary(row), encodeBody(row)],
  };
}

/**
 * The replacement of an existing row. It changes nothing, rather than failing, when the row is
 * missing or when its new id belongs to another row of the kind; `whyUnchanged` tells which.
 */
export function updateQuery(row: Row): Query {
  const [id, owner, target, path] = secondary(row);
  return {
    sql:
      'UPDATE basalt_entities SET id = ?, owner = ?, target = ?, path = ?, body = ? ' +
      'WHERE account_id = ? AND kind = ? AND key = ? AND NOT EXISTS (' +
      'SELECT 1 FROM basalt_entities o WHERE o.kind = ? AND o.id = ? AND NOT (o.account_id = ? AND o.key = ?))',
    params: [
      id,
      owner,
      target,
      path,
      encodeBody(row),
      row.accountId,
      row.kind,
      row.key,
      row.kind,
      id,
      row.accountId,
      row.key,
    ],
  };
}

/** The delete of one row by its primary key. */
export function deleteQuery(kind: Kind, accountId: string, key: string): Query {
  return { sql: `DELETE ${FROM} WHERE account_id = ? AND kind = ? AND key = ?`, params: [accountId, kind, key] };
}

/**
 * The delete of every row of a kind and account matching owner and/or target. At least one of
 * them is required: a forgotten filter must not wipe a whole kind.
 */
export function deleteWhereQuery(kind: Kind, accountId: string, filter: { owner?: string; target?: string }): Query {
  if (filter.owner === undefined && filter.target === undefined) {
    throw new RangeError(`deleteWhere(${kind}) needs an owner or a target; refusing to delete every ${kind} row`);
  }
  const where = ['account_id = ?', 'kind = ?'];
  const params: SqlValue[] = [accountId, kind];
  if (filter.owner !== undefined) {
    where.push('owner = ?');
    params.push(filter.owner);
  }
  if (filter.target !== undefined) {
    where.push('target = ?');
    params.push(filter.target);
  }
  return { sql: `DELETE ${FROM} WHERE ${where.join(' AND ')}`, params };
}

/** The id, owner, target and path of a row as column values (NULL when absent). */
function secondary(row: Row): [SqlValue, SqlValue, SqlValue, SqlValue] {
  return [row.id ?? null, row.owner ?? null, row.target ?? null, row.path ?? null];
}

/** The body as stored: JSON text (the same in both dialects; JSON escapes U+0000, which PostgreSQL text cannot hold). */
function encodeBody(row: Row): string {
  return JSON.stringify(row.body);
}

/**
 * Turns a table row (as either driver returns it) back into a `Row`. Absent secondary columns
 * are left out rather than set to undefined, so a row reads back deep-equal to what was written.
 */
export function decodeRow<K extends Kind>(record: Record<string, unknown>): Row<K> {
  const row: Row<K> = {
    kind: text(record, 'kind') as K,
    accountId: text(record, 'account_id'),
    key: text(record, 'key'),
    body: JSON.parse(text(record, 'body')),
  };
  for (const [field, column] of [
    ['id', 'id'],
    ['owner', 'owner'],
    ['target', 'target'],
    ['path', 'path'],
  ] as const) {
    const value = record[column];
    if (value !== null && value !== undefined) row[field] = String(value);
  }
  return row;
}

function text(record: Record<string, unknown>, column: string): string {
  const value = record[column];
  if (typeof value !== 'string') throw new StoreError('Unavailable', `column ${column} is not text in a stored row`);
  return value;
}

/**
 * Reads an integer column that the driver may return as a number (SQLite) or as a decimal
 * string (PostgreSQL bigint and count). Revisions stay far below 2^53.
 */
export function integer(record: Record<string, unknown> | undefined, column: string): number {
  const value = record?.[column];
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new StoreError('Unavailable', `column ${column} is not an integer`);
  return n;
}

const pgText = new Map<string, string>();

/**
 * The PostgreSQL form of a statement: each `?` becomes `$1`, `$2`, … in order. INVARIANT: no
 * statement in the store has a `?` inside a literal or identifier, so every `?` is a placeholder.
 * Results are memoised; the set of distinct statements is small and fixed.
 */
export function toPostgres(sql: string): string {
  let out = pgText.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    pgText.set(sql, out);
  }
  return out;
}

/**
 * Compares two keys the way `list` orders them: by their UTF-8 bytes, which is code point order.
 * JavaScript's `<` compares UTF-16 code units and disagrees for characters above U+FFFF against
 * U+E000–U+FFFF; use this to merge or check store results in memory.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
