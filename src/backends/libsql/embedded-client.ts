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
  all(args: unknown[]): unknown[][];
  run(args: unknown[]): unknown;
  /** Rows as arrays of values (in `columns()` order) from now on. */
  raw(on: boolean): EngineStatement;
  columns(): Array<{ name: string }>;
}
/** A `libsql` engine database (the better-sqlite3-compatible API). */
export interface Engine {
  prepare(sql: string): EngineStatement;
  exec(sql: string): void;
  close(): void;
  readonly inTransaction: boolean;
}

const NONE: unknown[] = [];

/**
 * A prepared statement and, for one that returns rows, its column names. Its rows cross the
 * binding as arrays (raw mode) and become objects here: the engine builds each row object
 * property by property through N-API, which costs more than the query for a wide row.
 */
interface Prepared {
  statement: EngineStatement;
  columns: string[] | null;
}

const names = (statement: EngineStatement) => statement.columns().map((column) => column.name);

/** Row objects from raw rows, keyed by `columns`. */
function toObjects(raw: unknown[][], columns: readonly string[]): SqlRow[] {
  const rows = new Array<SqlRow>(raw.length);
  for (let r = 0; r < raw.length; r++) {
    const values = raw[r] as unknown[];
    const row: SqlRow = {};
    for (let c = 0; c < columns.length; c++) row[columns[c] as string] = values[c];
    rows[r] = row;
  }
  return rows;
}

/** A {@link SqliteClient} over an embedded `libsql` engine database. */
export class EmbeddedClient implements SqliteClient {
  readonly #statements = new Map<string, Prepared>();

  constructor(private readonly db: Engine) {}

  #prepare(sql: string): Prepared {
    let prepared = this.#statements.get(sql);
    if (!prepared) {
      const statement = this.db.prepare(sql);
      const columns = statement.reader ? names(statement) : null;
      if (columns) statement.raw(true);
      prepared = { statement, columns };
      this.#statements.set(sql, prepared);
    }
    return prepared;
  }

  #run({ sql, args }: SqlStatement): SqlResult {
    const prepared = this.#prepare(sql);
    const { statement, columns } = prepared;
    if (!columns) {
      statement.run(args);
      return { rows: [] };
    }
    const raw = statement.all(args);
    // SQLite re-prepares a statement after a schema change: `*` may then name more columns.
    if (raw.length > 0 && (raw[0] as unknown[]).length !== columns.length) {
      prepared.columns = names(statement);
    }
    return { rows: toObjects(raw, prepared.columns as string[]) };
  }

  async execute(statement: SqlStatement): Promise<SqlResult> {
    return this.#run(statement);
  }

  async batch(statements: SqlStatement[]): Promise<SqlResult[]> {
    this.#prepare("BEGIN IMMEDIATE").statement.run(NONE);
    try {
      const results = statements.map((statement) => this.#run(statement));
      this.#prepare("COMMIT").statement.run(NONE);
      return results;
    } catch (error) {
      if (this.db.inTransaction) this.#prepare("ROLLBACK").statement.run(NONE);
      throw error;
    }
  }

  close(): void {
    this.#statements.clear();
    this.db.close();
  }
}
