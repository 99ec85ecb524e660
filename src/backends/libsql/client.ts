/**
 * The few parts of `@libsql/client` this backend uses, typed structurally so the user passes
 * their own client (kysely-style) and any compatible client works.
 */

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | null;

/** A statement with named arguments (`:name` in the SQL). */
export interface Statement {
  sql: string;
  args: Record<string, SqlValue>;
}

/** A row, readable by column name. */
export type SqlRow = Record<string, unknown>;

/** What `execute` and each `batch` step return. */
export interface SqlResult {
  rows: ArrayLike<SqlRow>;
  rowsAffected: number;
}

/** The subset of `@libsql/client`'s `Client` the backend calls. */
export interface LibsqlClientLike {
  execute(stmt: Statement): Promise<SqlResult>;
  batch(stmts: Statement[], mode: "write" | "read" | "deferred"): Promise<SqlResult[]>;
  close(): void;
}
