/**
 * Recognises a failed import of an optional peer dependency. Backends import their driver
 * lazily (on first use, so bundlers pick its build by condition and a factory does no I/O);
 * when the driver is not installed — a non-hoisted install, or a peer never added — that first
 * call must say which package to install, not pass for a store's refusal.
 */
import { MissingPeerError } from "../errors.js";

/** The optional peers this package imports itself. */
const PEERS = ["libsql", "@libsql/client", "@upstash/redis", "ioredis"];

/** Node's codes for an import that found no package (ESM, then CommonJS / bundlers). */
const NOT_FOUND_CODES = new Set(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"]);

/**
 * A {@link MissingPeerError} when `error` is the failed import of one of our peers (or of a
 * subpath such as `@libsql/client/web`), else `null`. Node names the package in its message:
 * `Cannot find package 'libsql' imported from …` (ESM), `Cannot find module 'libsql'` (CJS).
 */
export function missingPeer(error: unknown, by: string): MissingPeerError | null {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== "string" || !NOT_FOUND_CODES.has(code)) return null;
  const named = /Cannot find (?:package|module) '([^']+)'/.exec(String(message))?.[1] ?? "";
  const peer = PEERS.find((name) => named === name || named.startsWith(`${name}/`));
  if (peer === undefined) return null;
  const missing = new MissingPeerError(peer, by);
  missing.cause = error;
  return missing;
}
