/**
 * The libSQL backend factory shared by the portable entry (`index.ts`) and the Node entry
 * (`node.ts`); they differ only in how a local `file:` / `:memory:` database is opened. The
 * backend itself is the SQLite core's; this entry adapts `@libsql/client` to it.
 */
import type { Backend } from "../../backend.js";
import { ValidationError } from "../../errors.js";
import { missingPeer } from "../../internal/missing-peer.js";
import { requestTimeoutMs, timeoutSignal } from "../../internal/request-timeout.js";
import { SqliteBackend, type SqliteClient, tablePrefix } from "../sqlite/index.js";
import { classifyLibsqlError } from "./classify.js";
import { fromLibsqlClient, type LibsqlClientLike } from "./client.js";

/** Options for {@link libsqlBackend}: pass a `client`, or a `url` to have one created. */
export type LibsqlBackendOptions = (
  | { client: LibsqlClientLike; url?: never; authToken?: never }
  | { url: string; authToken?: string | undefined; client?: never }
) & {
  /** Table name prefix. Default `jdobb_`. */
  prefix?: string | undefined;
  /** Busy timeout for local files when the backend creates the client. Default 5000 ms. */
  busyTimeoutMs?: number | undefined;
  /**
   * For remote URLs when the backend creates the client: how long one HTTP request to the
   * server may wait for its answer before the call fails as `BACKEND_UNAVAILABLE`, in ms
   * (default 10,000; `Infinity`: no limit). The write may still have happened: the queue's
   * calls are safe to send again. (A WebSocket connection, `libsql:` on Node, is not limited.)
   */
  timeoutMs?: number | undefined;
  /**
   * For `file:` URLs when the backend creates the client: `wal` (default) switches the file to
   * WAL with `synchronous = NORMAL` (crash-safe; a power cut may lose the last commits, as with
   * plainjob and most SQLite queues), several times faster per write. `full` keeps SQLite's
   * default rollback journal and an fsync per commit.
   */
  durability?: "wal" | "full" | undefined;
};

/** Opens a local database: `path` is a file path or `:memory:`. */
export type LocalOpener = (path: string, options: LibsqlBackendOptions) => Promise<SqliteClient>;

/** Default payload/result limit: well under libSQL's and Turso's request limits. */
const MAX_PAYLOAD_BYTES = 5_000_000;

const isLocal = (url: string) => url.startsWith("file:") || url === ":memory:";

/** A local path from a `file:` URL (`file:q.db`, `file:/abs/q.db`, `file:///abs/q.db`). */
function localPath(url: string): string {
  return url === ":memory:" ? url : url.replace(/^file:(\/\/(?=\/))?/, "").replace(/\?.*$/, "");
}

/** WAL with synchronous = NORMAL for local files, unless `durability: "full"`. */
export async function applyDurability(
  client: SqliteClient,
  path: string,
  options: LibsqlBackendOptions,
): Promise<void> {
  if (path === ":memory:" || options.durability === "full") return;
  await client.execute({ sql: "PRAGMA journal_mode = WAL", args: [] });
  await client.execute({ sql: "PRAGMA synchronous = NORMAL", args: [] });
  // Checkpoint every ~40 MB of WAL instead of ~4 MB: a busy queue writes a few pages per job,
  // and each checkpoint syncs the database file.
  await client.execute({ sql: "PRAGMA wal_autocheckpoint = 10000", args: [] });
}

/** Opens a local database with `@libsql/client` (one connection, so its pragmas stick). */
export const openWithLibsqlClient: LocalOpener = async (path, options) => {
  const { createClient } = await import("@libsql/client");
  const url = path === ":memory:" ? path : `file:${path}`;
  const created = createClient({ url, timeout: options.busyTimeoutMs ?? 5_000, concurrency: 1 });
  const client = fromLibsqlClient(created as unknown as LibsqlClientLike);
  await applyDurability(client, path, options);
  return client;
};

/** The backend's name: where its database is. */
function nameOf(url: string | undefined): string {
  if (url === undefined) return "libsql(client)";
  if (url === ":memory:") return "libsql(memory)";
  return isLocal(url) ? "libsql(file)" : "libsql(http)";
}

/** Validates options and builds the backend. Does no I/O. */
export function createLibsqlBackend(
  options: LibsqlBackendOptions,
  openLocal: LocalOpener,
): Backend {
  const prefix = tablePrefix(options.prefix);
  const { client, url } = options;
  if (!client && (typeof url !== "string" || url.length === 0)) {
    throw new ValidationError("libsqlBackend needs a client or a url", "url");
  }
  const timeoutMs = requestTimeoutMs(options.timeoutMs);
  const name = nameOf(url);
  const connect = async (): Promise<SqliteClient> => {
    if (client) return fromLibsqlClient(client);
    const target = url as string;
    if (isLocal(target)) return openLocal(localPath(target), options);
    // Imported lazily so bundlers pick the client's web or node build by condition.
    const { createClient } = await import("@libsql/client");
    const remote = createClient({
      url: target,
      authToken: options.authToken,
      fetch: (request: Request) => fetch(request, { signal: timeoutSignal(timeoutMs) }),
    });
    return fromLibsqlClient(remote as unknown as LibsqlClientLike);
  };
  // A driver that is not installed fails the first call naming the package to install.
  const open = () =>
    connect().catch((error: unknown) => {
      throw missingPeer(error, name) ?? error;
    });
  return new SqliteBackend({
    name,
    prefix,
    client: open,
    ownsClient: !client,
    classify: classifyLibsqlError,
    maxPayloadBytes: MAX_PAYLOAD_BYTES,
  });
}
