/**
 * Cloudflare D1 backend: the SQLite core on a D1 binding. D1 has no channel to push changes,
 * so followers (the Broadcaster, SSE streams) poll the event log, as on libSQL.
 *
 * @example
 * // wrangler.toml: [[d1_databases]] binding = "DB", database_name = "queue", database_id = "…"
 * import { JobQueue } from "jdobb-async-queue";
 * import { d1Backend } from "jdobb-async-queue/d1";
 * const queue = new JobQueue({ backend: d1Backend(env.DB) });
 */
import type { Backend } from "../../backend.js";
import { ValidationError } from "../../errors.js";
import { classifySqliteCodeError } from "../sqlite/classify-code.js";
import { SqliteBackend, tablePrefix } from "../sqlite/index.js";
import { type D1DatabaseLike, fromD1Database } from "./client.js";
import { D1_MAX_PAYLOAD_BYTES } from "./limits.js";

export type {
  D1DatabaseLike,
  D1PreparedStatementLike,
  D1ResultLike,
} from "./client.js";
export { D1_MAX_PAYLOAD_BYTES } from "./limits.js";

/** Options for {@link d1Backend}. */
export interface D1BackendOptions {
  /** Table name prefix (a SQL identifier of at most 41 characters). Default `jdobb_`. */
  prefix?: string | undefined;
}

/**
 * Creates a backend on a D1 database binding (`env.DB`). Does no I/O: the schema is migrated
 * on first use. Payloads, results and progress data are limited to
 * {@link D1_MAX_PAYLOAD_BYTES} each, so a job's row (which may hold all three) fits D1's row
 * limit; `close()` leaves the binding alone. Throws a `ValidationError` for a bad `prefix` or
 * something that is no binding.
 *
 * @example
 * // in a Worker whose wrangler.toml binds a D1 database as `DB`
 * const queue = new JobQueue({ backend: d1Backend(env.DB, { prefix: "jobs_" }) });
 */
export function d1Backend(db: D1DatabaseLike, options: D1BackendOptions = {}): Backend {
  if (typeof db?.prepare !== "function" || typeof db.batch !== "function") {
    throw new ValidationError("d1Backend needs a D1 database binding (env.DB)", "db");
  }
  const client = fromD1Database(db);
  return new SqliteBackend({
    name: "d1",
    prefix: tablePrefix(options.prefix),
    client: async () => client,
    ownsClient: false,
    classify: classifySqliteCodeError,
    maxPayloadBytes: D1_MAX_PAYLOAD_BYTES,
  });
}
