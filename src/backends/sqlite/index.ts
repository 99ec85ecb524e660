/**
 * The SQLite core every SQLite-speaking entry stands on (libSQL today; D1 and Durable Objects
 * next): an entry adapts its driver to {@link SqliteClient}, classifies the driver's errors
 * ({@link ErrorClassifier}) and builds a {@link SqliteBackend}. Not a package entry of its own.
 *
 * @example
 * const backend = new SqliteBackend({
 *   name: "sqlite(mine)",
 *   prefix: "jdobb_",
 *   client: async () => myClient, // execute, batch (atomic), close
 *   ownsClient: true,
 *   classify: (error) => ({ kind: "refused", detail: String(error) }),
 *   maxPayloadBytes: 1_000_000,
 * });
 */
export { SqliteBackend, type SqliteBackendSettings } from "./backend.js";
export {
  type ClassifiedError,
  type ErrorClassifier,
  MAX_PARAMETERS,
  type SqliteClient,
  type SqlResult,
  type SqlRow,
  type SqlStatement,
  type SqlValue,
} from "./client.js";
export { tablePrefix } from "./prefix.js";
