/**
 * What the chaos processes share: the store spec passed to child processes (as JSON in an
 * environment variable), the queue settings, and the backend built from a spec with the
 * package's real public API (relative imports of the source, like the examples).
 */
import { Redis } from "@upstash/redis";
import { libsqlBackend } from "../../src/backends/libsql/node.js";
import { redisBackend } from "../../src/backends/redis/index.js";
import { JobQueue } from "../../src/index.js";

/** How a process reaches one store under test. */
export type StoreSpec =
  | { kind: "libsql"; url: string }
  | { kind: "redis"; restUrl: string; token: string };

export const QUEUE_NAME = "chaos";
export const JOB_TYPE = "chaos";
/** Short leases, so a killed or frozen worker's job comes back within seconds. */
export const LEASE_MS = 2_000;
/** Enough that kills and freezes never use up a job's attempts. */
export const MAX_ATTEMPTS = 25;

/** What the producer puts in each job. */
export interface ChaosPayload {
  /** The producer's own unique name for the job (also its idempotency key). */
  key: string;
  workMs: number;
  /** Progress reports the handler makes (0–3). */
  reports: number;
  /** The first attempt throws on purpose, so a retry happens. */
  failFirst: boolean;
}

/** What a successful attempt returns (stored as the job's result). */
export interface ChaosResult {
  key: string;
  attempt: number;
  pid: number;
}

/** One line a worker appends for every attempt it starts. */
export interface ExecutionRecord {
  id: string;
  key: string;
  attempt: number;
  pid: number;
  at: number;
}

export function openQueue(spec: StoreSpec): JobQueue {
  const backend =
    spec.kind === "libsql"
      ? libsqlBackend({ url: spec.url })
      : redisBackend({
          // A lease must outlast the client's retry window: a request @upstash/redis re-sends
          // runs with the `now` and lease of its first try. Its default (5 retries, about 4 s
          // in all) is longer than these 2 s leases; 3 quick retries are not.
          redis: new Redis({
            url: spec.restUrl,
            token: spec.token,
            retry: { retries: 3, backoff: () => 100 },
          }),
        });
  // Half the jobs carry one of a few concurrency keys (see producer.ts): faults hit the lane
  // bookkeeping too (per-key active counts, rotation), not only the plain claim.
  return new JobQueue({ backend, name: QUEUE_NAME, leaseMs: LEASE_MS, keys: { concurrency: 3 } });
}

/** The URL a networked store is reached at (null for an embedded file). */
export function storeUrl(spec: StoreSpec): string | null {
  if (spec.kind === "redis") return spec.restUrl;
  return /^https?:/.test(spec.url) ? spec.url : null;
}

/** The same store, reached at `url` instead (e.g. through a proxy). */
export function withStoreUrl(spec: StoreSpec, url: string): StoreSpec {
  return spec.kind === "redis" ? { ...spec, restUrl: url } : { ...spec, url };
}

/** Reads the store spec a parent passed in `CHAOS_STORE`. */
export function specFromEnv(): StoreSpec {
  const raw = process.env.CHAOS_STORE;
  if (!raw) throw new Error("CHAOS_STORE is not set");
  return JSON.parse(raw) as StoreSpec;
}

/** `{ name, code, message }` of anything thrown, for logs. */
export function describe(error: unknown): { name: string; code: string; message: string } {
  const e = error as { name?: string; code?: string; message?: string };
  return {
    name: String(e?.name ?? typeof error),
    code: String(e?.code ?? ""),
    message: String(e?.message ?? error).slice(0, 300),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
