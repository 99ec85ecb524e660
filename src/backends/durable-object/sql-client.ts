/**
 * The SQLite core's client over a Durable Object's own database (`ctx.storage.sql`): every
 * statement runs in the object, synchronously; a batch runs inside `transactionSync` (the
 * object's SQL refuses `BEGIN` and `SAVEPOINT`), so it commits whole or not at all.
 */
import type { SqliteClient, SqlResult, SqlStatement } from "../sqlite/client.js";
import type { DurableObjectStorageLike } from "./platform.js";

/** A {@link SqliteClient} over a SQLite-backed Durable Object's storage. */
export function durableObjectSqlClient(storage: DurableObjectStorageLike): SqliteClient {
  const run = ({ sql, args }: SqlStatement): SqlResult => ({
    rows: storage.sql.exec(sql, ...args).toArray(),
  });
  return {
    execute: async (statement) => run(statement),
    batch: async (statements) => storage.transactionSync(() => statements.map(run)),
    close: () => {},
  };
}
