/**
 * The claim loop shared by `drain` and `start`: keeps up to `concurrency` jobs running, claims
 * as many as there are free slots in one round trip, and idles with backoff when the queue is
 * empty (waking at once on in-process enqueues).
 */
import { QueueClosedError } from "../errors.js";
import type { Job } from "../job.js";
import { NEW_WORK } from "./change-feed.js";
import type { ErrorHandler } from "./error-log.js";
import type { AnyJobQueue } from "./queue-internals.js";
import { internalsOf } from "./queue-internals.js";
import type { RunOutcome, RunResult } from "./run-job.js";
import { RunningJobs } from "./running-jobs.js";

/** What one loop is for. */
export interface PoolPlan {
  /** How many jobs to claim now (0: claim nothing more). */
  wanted(free: number): number;
  /** Of the jobs `wanted` granted, `n` were not claimed (the claim found fewer). */
  unclaimed?(n: number): void;
  /** Whether a claimed job may start, or must be released. */
  fits(job: Job): boolean;
  /**
   * `stop`: once a claim finds fewer jobs than asked, the loop claims no more itself; the
   * running jobs still claim their successors as they finish (a key's limit may have held
   * jobs back that their finishing lets through), and the loop ends when none is running.
   * `wait`: idle-poll until `signal` aborts.
   */
  onEmpty: "stop" | "wait";
  /** Ends idle waits. */
  signal: AbortSignal;
  /** Aborts running handlers; their jobs are released. */
  shutdown: AbortSignal;
}

/** What the loop needs from its worker. */
export interface PoolDeps {
  queue: AnyJobQueue;
  concurrency: number;
  leaseMs: number;
  /** How often each running job's lease is extended. */
  heartbeatMs: number;
  idle: { min: number; max: number };
  onError: ErrorHandler;
}

/** Jobs claimed, and how each ended. */
export type PoolCounts = Record<"claimed" | RunOutcome, number>;

export async function runPool(
  deps: PoolDeps,
  plan: PoolPlan,
  run: (job: Job, nextLimit: () => number, running: RunningJobs) => Promise<RunResult>,
): Promise<PoolCounts> {
  const counts = { claimed: 0, completed: 0, retried: 0, failed: 0, lost: 0, released: 0 };
  // One heartbeat loop and one shutdown listener for every job this pool runs.
  const running = new RunningJobs(deps.queue, deps.heartbeatMs, deps.onError);
  let active = 0;
  let claiming = true;
  // `stop` plans: a claim came back short, so the loop claims no more itself.
  let ranDry = false;
  // A finishing job claims its successor in the same round trip, while claiming goes on.
  const nextLimit = () => (claiming ? plan.wanted(1) : 0);
  // Wakes the loop when a slot is freed (a job ended without a successor taking its place).
  let onFreed: (() => void) | null = null;
  const freed = () =>
    new Promise<void>((resolve) => {
      onFreed = resolve;
    });
  const onShutdown = () => running.shutdown();
  plan.shutdown.addEventListener("abort", onShutdown, { once: true });
  if (plan.shutdown.aborted) onShutdown();
  const start = (job: Job) => {
    active += 1;
    void run(job, nextLimit, running).then(({ outcome, next, asked }) => {
      counts[outcome] += 1;
      active -= 1;
      counts.claimed += next.length;
      if (next.length < asked) {
        plan.unclaimed?.(asked - next.length);
        // Short: the loop claims no more itself; successors go on (see `onEmpty`).
        if (plan.onEmpty === "stop") ranDry = true;
      }
      next.forEach(start);
      if (active < deps.concurrency && onFreed) {
        const wake = onFreed;
        onFreed = null;
        wake();
      }
    });
  };
  const wake = internalsOf(deps.queue).changes.listen(NEW_WORK);
  let claimError: unknown = null;
  let idleMs = deps.idle.min;
  // Jobs held back by a rate window: sleep until it opens (capped), not the usual backoff.
  const idleWait = () => {
    const wakeAt = internalsOf(deps.queue).wakeAt();
    if (wakeAt === null) return idleMs;
    return Math.min(Math.max(0, wakeAt - deps.queue.clock.now()), deps.idle.max);
  };
  try {
    while (claiming || active > 0) {
      // A completion claims its own successor; any other way a job ends (failed, retried,
      // lost, released) frees a slot that is claimed for here, at once: no slot stays idle
      // while runnable jobs wait.
      const free = deps.concurrency - active;
      if (ranDry && active === 0) {
        claiming = false; // drained: nothing runs, so no successor can come
        continue;
      }
      if (!claiming || ranDry || free === 0) {
        await freed();
        continue;
      }
      const want = plan.wanted(free);
      if (want === 0) {
        claiming = false;
        continue;
      }
      wake.arm();
      let jobs: Job[] = [];
      try {
        jobs = await deps.queue.claimMany(want, { leaseMs: deps.leaseMs });
      } catch (error) {
        if (error instanceof QueueClosedError) break;
        if (plan.onEmpty === "stop") claimError ??= error;
        else deps.onError(error, { operation: "claim" });
      }
      for (const error of internalsOf(deps.queue).takeRefillErrors()) {
        deps.onError(error, { operation: "schedule-refill" });
      }
      counts.claimed += jobs.length;
      if (jobs.length < want) plan.unclaimed?.(want - jobs.length);
      jobs.forEach(start);
      if (jobs.length > 0) idleMs = deps.idle.min;
      if (jobs.length === want) continue;
      if (plan.onEmpty === "stop") {
        // A failed claim ends claiming; a short one leaves it to the running jobs' successors.
        if (claimError === null) ranDry = true;
        else claiming = false;
      } else if (!plan.signal.aborted) {
        // (Stopped during the claim: no wait, the next round claims nothing and ends.)
        // Idle: wait for new work in this process, a freed slot, or the next poll. Whichever
        // comes first ends the wait itself too, so no timer or listener outlives it.
        if (active === 0) running.idle();
        const waited = new AbortController();
        const stopWaiting = () => waited.abort();
        plan.signal.addEventListener("abort", stopWaiting, { once: true });
        try {
          await Promise.race([wake.wait(idleWait(), waited.signal), freed()]);
        } finally {
          waited.abort();
          plan.signal.removeEventListener("abort", stopWaiting);
        }
        idleMs = Math.min(idleMs * 2, deps.idle.max);
      }
    }
  } finally {
    wake.dispose();
    plan.shutdown.removeEventListener("abort", onShutdown);
    running.close();
  }
  if (claimError !== null) throw claimError;
  return counts;
}
