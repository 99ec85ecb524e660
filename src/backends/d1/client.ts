/**
 * The few parts of a Cloudflare D1 binding (`env.DB`) this backend calls, typed structurally
 * so the package needs no `@cloudflare/workers-types`; and their adapter to the SQLite core's
 * client interface.
 */
import type { SqliteClient, SqlResult, SqlRow, SqlStatement } from "../sqlite/client.js";

/** What `.all()` answers: the rows (D1 adds `meta`, which this backend never reads). */
export interface D1ResultLike {
  results?: SqlRow[] | undefined;
}

/** A prepared D1 statement: bound once, then run with `.all()` or inside `batch`. */
export interface D1PreparedStatementLike {
  bind(...values: unknown[]): D1PreparedStatementLike;
  all(): Promise<D1ResultLike>;
}

/** The subset of D1's `D1Database` the backend calls. */
export interface D1DatabaseLike {
  prepare(query: string): D1PreparedStatementLike;
  /** Runs the statements in order as one transaction; one result per statement. */
  batch(statements: D1PreparedStatementLike[]): Promise<D1ResultLike[]>;
}

/**
 * The rows as plain objects: through miniflare's proxy (`getD1Database`) they arrive without
 * `Object.prototype`; copied, nothing downstream meets the difference.
 */
const plainRows = (result: D1ResultLike): SqlResult => ({
  rows: (result.results ?? []).map((row) => ({ ...row })),
});

/**
 * Runs the core's statements on a D1 binding: a statement is one `.all()` (its `RETURNING`
 * rows are the answer; D1's `meta.changes`, which counts rows triggers change too, is never
 * read), a batch is one `db.batch` (atomic). `close()` does nothing: the binding is the
 * platform's.
 */
export function fromD1Database(db: D1DatabaseLike): SqliteClient {
  const prepare = ({ sql, args }: SqlStatement) => db.prepare(sql).bind(...args);
  return {
    execute: async (statement) => plainRows(await prepare(statement).all()),
    batch: async (statements) => (await db.batch(statements.map(prepare))).map(plainRows),
    close: () => {},
  };
}
