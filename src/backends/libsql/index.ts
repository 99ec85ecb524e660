/**
 * libSQL / SQLite backend: an embedded file or `:memory:` database, or libSQL / Turso over HTTP.
 * This entry runs everywhere (Workers, Edge, Node); on Node the package's `node` export
 * condition picks `node.ts`, which opens local files with a faster embedded client.
 *
 * @example
 * import { libsqlBackend } from "jdobb-async-queue/libsql";
 * const backend = libsqlBackend({ url: "file:queue.db" });
 * // or with your own client (any intMode):
 * const backend2 = libsqlBackend({ client: createClient({ url, authToken }) });
 */
import type { Backend } from "../../backend.js";
import { createLibsqlBackend, type LibsqlBackendOptions, openWithLibsqlClient } from "./factory.js";

/** The shapes this entry takes. */
export type { LibsqlClientLike } from "./client.js";
export type { LibsqlBackendOptions } from "./factory.js";

/**
 * Creates a libSQL backend. Does no I/O: the client is created (if needed) and the schema
 * migrated on first use.
 */
export function libsqlBackend(options: LibsqlBackendOptions): Backend {
  return createLibsqlBackend(options, openWithLibsqlClient);
}
