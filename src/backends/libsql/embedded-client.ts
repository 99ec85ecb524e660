/**
 * A client for local `file:` and `:memory:` databases straight over the `libsql` engine
 * (the same engine `@libsql/client` embeds), with prepared statements cached per SQL text.
 * `@libsql/client` prepares every statement on every call; for a queue that runs the same
 * dozen statements all day, caching them roughly halves the cost of each operation.
 *
 * Runs synchronously on the event loop, as `@libsql/client`'s local client does. Node only.
 */
import type { SqliteClient, SqlResult, SqlRow, SqlStatement } from "../sqlite/client.js";

/** The parts of the `libsql` package's (better-sqlite3-compatible) API used here. */
interface EngineStatement {
  readonly reader: boolean;
  all(args: unknown[]): SqlRow[];
  run(args: unknown[]): unknown;
}
/** A `libsql` engine database (the better-sqlite3-compatible API). */
export interface Engine {
  prepare(sql: string): EngineStatement;
  exec(sql: string): void;
  close(): void;
  readonly inTransaction: boolean;
}

const NONE: unknown[] = [];

/** A {@link SqliteClient} over an embedded `libsql` engine database. */
export class EmbeddedClient implements SqliteClient {
  readonly #statements = new Map<string, EngineStatement>();

  constructor(private readonly db: Engine) {}

  #prepare(sql: string): EngineStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #run(statement: SqlStatement): SqlResult {
    const prepared = this.#prepare(statement.sql);
    if (prepared.reader) return { rows: prepared.all(statement.args) };
    prepared.run(statement.args);
    return { rows: [] };
  }

  async execute(statement: SqlStatement): Promise<SqlResult> {
    return this.#run(statement);
  }

  async batch(statements: SqlStatement[]): Promise<SqlResult[]> {
    this.#prepare("BEGIN IMMEDIATE").run(NONE);
    try {
      const results = statements.map((statement) => this.#run(statement));
      this.#prepare("COMMIT").run(NONE);
      return results;
    } catch (error) {
      if (this.db.inTransaction) this.#prepare("ROLLBACK").run(NONE);
      throw error;
    }
  }

  close(): void {
    this.#statements.clear();
    this.db.close();
  }
}
