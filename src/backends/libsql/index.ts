/**
 * libSQL / SQLite backend: an embedded file or `:memory:` database, or libSQL / Turso over HTTP.
 *
 * @example
 * import { libsqlBackend } from "jdobb-async-queue/libsql";
 * const backend = libsqlBackend({ url: "file:queue.db" });
 * // or with your own client (any intMode):
 * const backend2 = libsqlBackend({ client: createClient({ url, authToken }) });
 */
import type { Backend, BackendCapabilities } from "../../backend.js";
import { ValidationError } from "../../errors.js";
import { LibsqlBackend } from "./backend.js";
import type { LibsqlClientLike } from "./client.js";
import { EmbeddedClient } from "./embedded-client.js";

export type { LibsqlClientLike } from "./client.js";

/** Options for {@link libsqlBackend}: pass a `client`, or a `url` to have one created. */
export type LibsqlBackendOptions = (
  | { client: LibsqlClientLike; url?: never; authToken?: never }
  | { url: string; authToken?: string; client?: never }
) & {
  /** Table name prefix. Default `jdobb_`. */
  prefix?: string;
  /** Overrides the transport guessed from the URL (`embedded` for file:/:memory:, else `http`). */
  transport?: BackendCapabilities["transport"];
  /** Busy timeout for local files when the backend creates the client. Default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * For `file:` URLs when the backend creates the client: `wal` (default) switches the file to
   * WAL with `synchronous = NORMAL` (crash-safe; a power cut may lose the last commits, as with
   * plainjob and most SQLite queues), several times faster per write. `full` keeps SQLite's
   * default rollback journal and an fsync per commit.
   */
  durability?: "wal" | "full";
};

/** Default payload/result limit: well under libSQL's and Turso's request limits. */
const MAX_PAYLOAD_BYTES = 5_000_000;

/** A local path from a `file:` URL (`file:q.db`, `file:/abs/q.db`, `file:///abs/q.db`). */
function localPath(url: string): string {
  return url === ":memory:" ? url : url.replace(/^file:(\/\/(?=\/))?/, "").replace(/\?.*$/, "");
}

/**
 * The client the backend creates for a URL: for local files, the embedded engine with cached
 * statements and (by default) WAL; for anything remote, `@libsql/client`.
 */
async function openClient(url: string, options: LibsqlBackendOptions): Promise<LibsqlClientLike> {
  if (transportOf(url) === "embedded") {
    const embedded = await EmbeddedClient.open(localPath(url), options.busyTimeoutMs ?? 5_000);
    if (url !== ":memory:" && options.durability !== "full") {
      await embedded.execute({ sql: "PRAGMA journal_mode = WAL", args: {} });
      await embedded.execute({ sql: "PRAGMA synchronous = NORMAL", args: {} });
    }
    return embedded;
  }
  // Imported lazily so bundlers pick the client's web or node build by condition.
  const { createClient } = await import("@libsql/client");
  return createClient({ url, authToken: options.authToken }) as unknown as LibsqlClientLike;
}

function transportOf(url: string | undefined): BackendCapabilities["transport"] {
  if (url === undefined) return "http";
  return url.startsWith("file:") || url === ":memory:" ? "embedded" : "http";
}

/**
 * Creates a libSQL backend. Does no I/O: the client is created (if needed) and the schema
 * migrated on first use.
 */
export function libsqlBackend(options: LibsqlBackendOptions): Backend {
  const prefix = options.prefix ?? "jdobb_";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(prefix)) {
    throw new ValidationError("prefix must be a SQL identifier of at most 41 characters", "prefix");
  }
  const { client, url } = options;
  if (!client && (typeof url !== "string" || url.length === 0)) {
    throw new ValidationError("libsqlBackend needs a client or a url", "url");
  }
  const transport = options.transport ?? transportOf(url);
  return new LibsqlBackend({
    name: `libsql(${transport === "embedded" ? (url === ":memory:" ? "memory" : "file") : transport})`,
    prefix,
    ownsClient: !client,
    capabilities: { transport, maxPayloadBytes: MAX_PAYLOAD_BYTES },
    client: client ? async () => client : () => openClient(url as string, options),
  });
}
