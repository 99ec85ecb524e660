/**
 * The few parts of `@libsql/client` this backend uses, typed structurally so the user passes
 * their own client (kysely-style) and any compatible client works; and its adapter to the
 * SQLite core's client interface.
 */
import type { SqliteClient, SqlResult, SqlRow, SqlStatement } from "../sqlite/client.js";

/** The subset of `@libsql/client`'s `Client` the backend calls (positional arguments). */
export interface LibsqlClientLike {
  execute(stmt: SqlStatement): Promise<{ rows: ArrayLike<SqlRow> }>;
  batch(stmts: SqlStatement[], mode: "write"): Promise<Array<{ rows: ArrayLike<SqlRow> }>>;
  close(): void;
}

/** Runs the core's statements on a `@libsql/client` client; a batch is a write transaction. */
export function fromLibsqlClient(client: LibsqlClientLike): SqliteClient {
  return {
    execute: (statement): Promise<SqlResult> => client.execute(statement),
    batch: (statements): Promise<SqlResult[]> => client.batch(statements, "write"),
    close: () => client.close(),
  };
}
