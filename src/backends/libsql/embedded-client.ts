/**
 * A client for local `file:` and `:memory:` databases straight over the `libsql` engine
 * (the same engine `@libsql/client` embeds), with prepared statements cached per SQL text.
 * `@libsql/client` prepares every statement on every call; for a queue that runs the same
 * dozen statements all day, caching them roughly halves the cost of each operation.
 *
 * Runs synchronously on the event loop, as `@libsql/client`'s local client does. Node only.
 */
import type { LibsqlClientLike, SqlResult, SqlRow, Statement } from "./client.js";

/** The parts of the `libsql` package's (better-sqlite3-compatible) API used here. */
interface EngineStatement {
  readonly reader: boolean;
  all(args: object): SqlRow[];
  run(args: object): { changes: number };
}
export interface Engine {
  prepare(sql: string): EngineStatement;
  exec(sql: string): void;
  close(): void;
  readonly inTransaction: boolean;
}

const BEGIN = { write: "BEGIN IMMEDIATE", read: "BEGIN DEFERRED", deferred: "BEGIN DEFERRED" };

export class EmbeddedClient implements LibsqlClientLike {
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

  #run(statement: Statement): SqlResult {
    const prepared = this.#prepare(statement.sql);
    if (prepared.reader) {
      const rows = prepared.all(statement.args);
      return { rows, rowsAffected: rows.length };
    }
    return { rows: [], rowsAffected: prepared.run(statement.args).changes };
  }

  async execute(statement: Statement): Promise<SqlResult> {
    return this.#run(statement);
  }

  async batch(statements: Statement[], mode: keyof typeof BEGIN): Promise<SqlResult[]> {
    this.#prepare(BEGIN[mode]).run({});
    try {
      const results = statements.map((statement) => this.#run(statement));
      this.#prepare("COMMIT").run({});
      return results;
    } catch (error) {
      if (this.db.inTransaction) this.#prepare("ROLLBACK").run({});
      throw error;
    }
  }

  close(): void {
    this.#statements.clear();
    this.db.close();
  }
}
