/**
 * The connection side of the SQLite core: opens the client once, migrates the schema lazily,
 * and turns driver errors into the public API's errors through the entry's classifier.
 */
import { QueueError } from "../../errors.js";
import { refused, unavailable } from "../../internal/store-errors.js";
import type { ErrorClassifier, SqliteClient, SqlResult, SqlStatement } from "./client.js";
import { migrate, type Tables } from "./schema.js";

/** How a {@link SqliteStore} reaches its database. */
export interface SqliteStoreOptions {
  /** The backend's name (for error messages), e.g. `libsql(file)`. */
  name: string;
  tables: Tables;
  /** Resolves the client (the entry may create it lazily, on first use; a failure is retried). */
  client: () => Promise<SqliteClient>;
  /** Whether `close()` closes the client (only when the entry created it). */
  ownsClient: boolean;
  /** Maps the driver's errors (see {@link ErrorClassifier}). */
  classify: ErrorClassifier;
}

/** One database for the backend: its client, schema and error mapping. */
export class SqliteStore {
  #ready: Promise<SqliteClient> | null = null;

  constructor(private readonly options: SqliteStoreOptions) {}

  /** Creates the client once; a failure is retried on the next call. */
  #client(): Promise<SqliteClient> {
    this.#ready ??= this.options.client().catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  /** Creates or upgrades the schema (idempotent, safe to race). */
  init(): Promise<void> {
    return this.run((client) => migrate(client, this.options.tables));
  }

  /**
   * Runs one operation. The schema is migrated lazily: an operation that finds a table or
   * column missing migrates and runs again, so a warm store costs no extra round trip (a
   * cold serverless start included). Batches are atomic, so the failed try changed nothing.
   */
  async run<T>(op: (client: SqliteClient) => Promise<T>): Promise<T> {
    try {
      const client = await this.#client();
      try {
        return await op(client);
      } catch (error) {
        if (this.options.classify(error).kind !== "missing-schema") throw error;
        await migrate(client, this.options.tables);
        return await op(client);
      }
    } catch (error) {
      throw this.#error(error);
    }
  }

  /** A QueueError (say, the entry's `MissingPeerError`) as it is; a driver's, classified. */
  #error(error: unknown): QueueError {
    if (error instanceof QueueError) return error;
    const { kind, detail } = this.options.classify(error);
    return kind === "unavailable"
      ? unavailable(this.options.name, detail)
      : refused(this.options.name, detail);
  }

  /** Runs one statement. */
  execute(statement: SqlStatement): Promise<SqlResult> {
    return this.run((client) => client.execute(statement));
  }

  /** Runs statements as one atomic write batch. */
  write(statements: SqlStatement[]): Promise<SqlResult[]> {
    return this.run((client) => client.batch(statements));
  }

  /** Closes the client if the store created it. */
  async close(): Promise<void> {
    const ready = this.#ready;
    this.#ready = null;
    if (ready && this.options.ownsClient) await (await ready.catch(() => null))?.close();
  }
}
