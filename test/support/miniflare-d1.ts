/** A D1 database in miniflare, reached from Node through miniflare's proxy. */
import { Miniflare } from "miniflare";
import { afterAll, beforeAll } from "vitest";
import type { ClaimInput, FullBackend, NewJobRecord } from "../../src/backend.js";
import { d1Backend } from "../../src/backends/d1/index.js";
import { cron } from "../../src/cron.js";
import { ManualClock } from "../../src/internal/clock.js";
import { newToken } from "../../src/internal/ids.js";
import { JobQueue } from "../../src/queue.js";
import { newJobRecord } from "../../src/testing/new-job.js";

/** A running miniflare with one D1 binding, `DB`. */
export interface MiniflareD1 {
  db: Awaited<ReturnType<Miniflare["getD1Database"]>>;
  dispose(): Promise<void>;
}

/** Starts miniflare with an empty D1 database (in memory: nothing outlives `dispose`). */
export async function startMiniflareD1(): Promise<MiniflareD1> {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    compatibilityDate: "2026-04-20",
    d1Databases: ["DB"],
  });
  const db = await mf.getD1Database("DB");
  return { db, dispose: () => mf.dispose() };
}

/**
 * For a test file: miniflare with a migrated `d1Backend` on it for the file's tests (started
 * before them, disposed after), a manual clock, and inputs for calls on the backend itself.
 */
export function useD1Backend() {
  let d1: MiniflareD1 | undefined;
  let backend: FullBackend | undefined;
  beforeAll(async () => {
    d1 = await startMiniflareD1();
    backend = d1Backend(d1.db) as FullBackend;
    await backend.init?.();
  });
  afterAll(() => d1?.dispose());
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("miniflare is not started yet");
    return value;
  };
  return {
    clock,
    db: () => started(d1).db,
    backend: () => started(backend),
    /** A queue with a fresh name on the backend; progress is written at once. */
    newQueue: (options: { maxPayloadBytes?: number } = {}) =>
      new JobQueue({
        backend: started(backend),
        clock,
        cron,
        name: `d1-${newToken().slice(0, 12)}`,
        progressIntervalMs: 0,
        ...options,
      }),
    /** A job to pass to `backend.enqueue`, due now. */
    newJob: (overrides: Partial<NewJobRecord> = {}): NewJobRecord =>
      newJobRecord(clock.now(), overrides),
    /** A claim's fields but its scope: a fresh token and a 30 s lease. */
    claimOf: (limit: number): Omit<ClaimInput, "queue" | "now"> => ({
      limit,
      token: newToken(),
      leaseUntil: clock.now() + 30_000,
      expiredError: "{}",
      failedExpiresAt: clock.now() + 60_000,
    }),
  };
}
