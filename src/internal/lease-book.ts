/**
 * What a queue object remembers about the jobs it claimed: the claim token, lease length,
 * backoff policy and progress coalescer. Kept here, keyed by the job object, so tokens never
 * appear on the public job.
 */
import { ValidationError } from "../errors.js";
import type { Job } from "../job.js";
import type { BackoffPolicy } from "./backoff.js";
import type { Clock } from "./clock.js";
import { ProgressCoalescer, type ProgressPatch } from "./progress-coalescer.js";

/** Writes one job's progress patch (or heartbeat) under its claim token. */
export type LeaseWriter = (
  jobId: string,
  token: string,
  leaseMs: number,
  patch: ProgressPatch,
) => Promise<boolean>;

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

  constructor(
    private readonly clock: Clock,
    private readonly progressIntervalMs: number,
    private readonly write: LeaseWriter,
  ) {}

  /** Starts tracking a job just claimed under `token`. */
  track(job: Job, token: string, leaseMs: number, backoff: string | null): void {
    const progress = new ProgressCoalescer(
      (patch) => this.write(job.id, token, leaseMs, patch),
      this.clock,
      this.progressIntervalMs,
    );
    const policy = backoff ? (JSON.parse(backoff) as BackoffPolicy) : null;
    const lease: Lease = { token, leaseMs, backoff: policy, progress };
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
