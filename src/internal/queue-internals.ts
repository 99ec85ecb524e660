/**
 * What workers and broadcasters need from a queue object but users should not call: the
 * in-process change feed, the combined complete-and-claim, dropping a lease locally, and the
 * job schemas. Kept off the public class (a module-private registry keyed by the queue object),
 * so the public surface is only what a user may rely on.
 */
import type { Job } from "../job.js";
import type { JobQueue } from "../queue.js";
import type { ChangeFeed } from "./change-feed.js";
import type { JobSchemas } from "./job-schemas.js";
import type { PushWatches } from "./push-watches.js";

export interface QueueInternals {
  /** In-process change notifications for everything written through the queue object. */
  changes: ChangeFeed;
  /** The store's pushed notices, fed into {@link QueueInternals.changes} (feature `push`). */
  push: PushWatches;
  /**
   * Completes a claimed job and claims up to `next.limit` more, in one atomic round trip when
   * the backend supports it: a busy worker's steady state.
   */
  completeAndClaim(
    job: Job,
    result: unknown,
    next: { limit: number; leaseMs?: number },
  ): Promise<{ completed: boolean; next: Job[] }>;
  /** Stops tracking a claimed job locally without writing anything (e.g. after it was lost). */
  forget(job: Job): void;
  schemas: JobSchemas;
  /** When a rate window that held jobs back at the latest claim opens, or null. */
  wakeAt(): number | null;
  /** Errors of schedule refills since the last call (a worker reports them). */
  takeRefillErrors(): unknown[];
}

const registry = new WeakMap<object, QueueInternals>();

/** Called once by each queue object's constructor. */
export function registerInternals(queue: object, internals: QueueInternals): void {
  registry.set(queue, internals);
}

/** The internals of a queue object made by this package. */
export function internalsOf(queue: object): QueueInternals {
  const internals = registry.get(queue);
  if (!internals) throw new TypeError("not a JobQueue of this package");
  return internals;
}

/** A queue object of any job types, for code that handles every queue alike. */
// biome-ignore lint/suspicious/noExplicitAny: job types do not matter to this code
export type AnyJobQueue = JobQueue<any>;
