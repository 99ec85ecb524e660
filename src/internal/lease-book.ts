/**
 * What a queue object remembers about the jobs it claimed: the claim token, lease length,
 * backoff policy and progress coalescer. Kept here, keyed by the job object, so tokens never
 * appear on the public job.
 */
import { ValidationError } from "../errors.js";
import type { Job } from "../job.js";
import type { BackoffPolicy } from "./backoff.js";
import type { ProgressCoalescer } from "./progress-coalescer.js";

export interface Lease {
  token: string;
  leaseMs: number;
  /** The job's own retry policy, if it was enqueued with one. */
  backoff: BackoffPolicy | null;
  progress: ProgressCoalescer;
}

export class LeaseBook {
  readonly #byJob = new WeakMap<Job, Lease>();
  readonly #open = new Set<Lease>();

  add(job: Job, lease: Lease): void {
    this.#byJob.set(job, lease);
    this.#open.add(lease);
  }

  /** The lease of a job claimed through this queue object; throws for any other job. */
  of(job: Job): Lease {
    const lease = job ? this.#byJob.get(job) : undefined;
    if (!lease) throw new ValidationError("not a job claimed through this queue object", "job");
    return lease;
  }

  /** Drops the job's lease and its pending progress. */
  forget(job: Job): void {
    const lease = this.#byJob.get(job);
    if (!lease) return;
    lease.progress.close();
    this.#open.delete(lease);
    this.#byJob.delete(job);
  }

  /** Writes every lease's pending progress (on close). */
  async flushAll(): Promise<void> {
    await Promise.allSettled([...this.#open].map((lease) => lease.progress.flush()));
  }
}
