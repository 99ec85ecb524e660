/**
 * The small client interface the SQLite core runs on. An entry (libSQL today; D1 and Durable
 * Objects next) adapts its driver to it and passes an {@link ErrorClassifier} for the driver's
 * errors. Statements bind numbered positional parameters only (`?1`, `?2` …), a fixed number
 * per statement text (at most {@link MAX_PARAMETERS}), so every SQLite host accepts them.
 */

/** A value bound to a positional parameter. */
export type SqlValue = string | number | bigint | null;

/** A statement with positional arguments: `args[0]` binds `?1`, and so on. */
export interface SqlStatement {
  sql: string;
  args: SqlValue[];
}

/** A result row, readable by column name (integers may come back as `number` or `bigint`). */
export type SqlRow = Record<string, unknown>;

/** What a statement returns: its rows (none for a write without `RETURNING`). */
export interface SqlResult {
  rows: ArrayLike<SqlRow>;
}

/**
 * A connection to one SQLite database.
 *
 * @example
 * const client: SqliteClient = {
 *   execute: async (s) => ({ rows: db.prepare(s.sql).all(s.args) }),
 *   batch: async (list) => db.transaction(() => list.map((s) => ({ rows: run(s) })))(),
 *   close: () => db.close(),
 * };
 */
export interface SqliteClient {
  /** Runs one statement (on its own, it is atomic). */
  execute(statement: SqlStatement): Promise<SqlResult>;
  /**
   * Runs statements in order as one atomic write transaction (one request for a remote
   * database): all of them commit, or none and the call rejects.
   */
  batch(statements: SqlStatement[]): Promise<SqlResult[]>;
  /** Releases the connection. */
  close(): void | Promise<void>;
}

/** Bound parameters per statement, at most (D1's limit; SQLite's default is 32,766). */
export const MAX_PARAMETERS = 100;

/**
 * What a driver error means for the core: the schema is missing or old (migrate, then run the
 * operation again), the database is busy or unreachable (retryable), or the store refused the
 * statement. `detail` is what may be logged: never the statement or its arguments.
 */
export interface ClassifiedError {
  kind: "missing-schema" | "unavailable" | "refused";
  detail: string;
}

/** Maps a driver's error (or anything the client threw) to a {@link ClassifiedError}. */
export type ErrorClassifier = (error: unknown) => ClassifiedError;
