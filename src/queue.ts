import type * as contract from "./backend.js";
import {
  InvalidStateError,
  JobNotFoundError,
  QueueClosedError,
  ValidationError,
} from "./errors.js";
import { backoffDelay } from "./internal/backoff.js";
import { ChangeFeed, NEW_WORK } from "./internal/change-feed.js";
import { ClaimFollowUp } from "./internal/claim-follow-up.js";
import { claimInput } from "./internal/claim-input.js";
import type { Clock } from "./internal/clock.js";
import { type CronEngine, requireCron } from "./internal/cron-engine.js";
import { assertConcurrencyKey, type EnqueueDefaults, toNewJobs } from "./internal/enqueue-input.js";
import { requireFeature } from "./internal/features.js";
import { newToken } from "./internal/ids.js";
import { JobSchemas } from "./internal/job-schemas.js";
import { describeError, encodeJson, toJob, toUpdate } from "./internal/json.js";
import { LeaseBook } from "./internal/lease-book.js";
import { LimitSettings, toLimitOptions, toQueueLimits } from "./internal/limit-settings.js";
import { toProgressPatch } from "./internal/progress-coalescer.js";
import { PushWatches } from "./internal/push-watches.js";
import { registerInternals } from "./internal/queue-internals.js";
import { completeAndClaimCall } from "./internal/write-combiner.js";
import type {
  EnqueueOptions,
  EnqueueResult,
  Job,
  JobCounts,
  JobPage,
  JobState,
  JobUpdate,
} from "./job.js";
import type {
  JobDefinitions,
  JobTypeName,
  PayloadInput,
  TypedJob,
  UntypedJobs,
} from "./job-types.js";
import type { KeyLimits, QueueLimitOptions, RateLimit } from "./limits.js";
import {
  assertJobDefinitions,
  checkLimitOptions,
  type EnqueueItemOf,
  type JobQueueOptions,
  type ListOptions,
  type ProgressUpdate,
  count as positiveCount,
  type RetentionOptions,
  rateLimit,
  resolveQueueOptions,
} from "./queue-options.js";
import {
  assertScheduleId,
  type Schedule,
  type ScheduleOptions,
  type ScheduleOptionsOf,
  toSchedule,
  toScheduleSpec,
} from "./schedules.js";

/**
 * A named queue over one backend: enqueue, atomic claims, fenced worker writes, inspection.
 *
 * @example
 * const queue = new JobQueue({ backend: libsqlBackend({ url: "file:queue.db" }) });
 * const id = await queue.enqueue("resize", { url }, { priority: 5, idempotencyKey: "img-42" });
 * const job = await queue.claim({ leaseMs: 30_000 });
 * if (job && (await queue.update(job, { progress: 0.5, message: "half way" }))) {
 *   await queue.complete(job, { ok: true }); // false if our lease was lost
 * }
 */
export class JobQueue<J extends JobDefinitions = UntypedJobs> {
  readonly name: string;
  readonly backend: contract.Backend;
  readonly clock: Clock;
  /** The job types given as `jobs`, if any (the HTTP routes validate with them too). */
  readonly jobs: J | undefined;
  readonly leaseMs: number;
  readonly #changes: ChangeFeed;
  readonly #schemas: JobSchemas;
  readonly #defaults: EnqueueDefaults;
  readonly #retention: Required<RetentionOptions>;
  readonly #leases: LeaseBook;
  readonly #limits: LimitSettings;
  /** The combined complete-and-claim call, grouped with other workers' where the backend can. */
  readonly #combined:
    | ((input: contract.CompleteAndClaimInput) => Promise<contract.CompleteAndClaimOutcome>)
    | undefined;
  #closed = false;
  /** The claims' wake-up hint and schedule refills. */
  readonly #followUp: ClaimFollowUp;
  /** Cron arithmetic for schedules, if the application gave it (`jdobb-async-queue/cron`). */
  readonly #cron: CronEngine | undefined;

  constructor(options: JobQueueOptions & { jobs?: J | undefined }) {
    const settings = resolveQueueOptions(options);
    this.jobs = options.jobs;
    this.#schemas = new JobSchemas(assertJobDefinitions(options.jobs));
    this.backend = options.backend;
    this.name = settings.name;
    this.clock = settings.clock;
    this.leaseMs = settings.leaseMs;
    this.#defaults = settings.defaults;
    this.#retention = settings.retention;
    if (settings.seedLimits) requireFeature(this.backend, "limits");
    this.#limits = new LimitSettings(this.backend, this.name, this.clock, settings.seedLimits);
    this.#changes = new ChangeFeed(this.clock);
    this.#combined = completeAndClaimCall(this.backend, this.name, this.clock);
    this.#cron = settings.cron;
    this.#followUp = new ClaimFollowUp(this.backend, this.name, this.#cron);
    registerInternals(this, {
      changes: this.#changes,
      push: new PushWatches(this.backend, this.name, this.clock, this.#changes),
      completeAndClaim: (job, result, next) => this.#completeAndClaim(job, result, next),
      forget: (job) => this.#leases.forget(job),
      schemas: this.#schemas,
      wakeAt: () => this.#followUp.wakeAt,
      takeRefillErrors: () => this.#followUp.takeRefillErrors(),
    });
    this.#leases = new LeaseBook(
      this.clock,
      settings.progressIntervalMs,
      async (id, token, leaseMs, patch) => {
        const at = { ...this.#scope(id), token };
        const ok = await this.backend.update({ ...at, leaseUntil: at.now + leaseMs, ...patch });
        if (ok && Object.keys(patch).length > 0) this.#changes.notify(id);
        return ok;
      },
    );
  }

  /**
   * Adds a job; returns its id (or the existing job's id when the idempotency key is known).
   * With `jobs`, the type must be one of them and the payload must pass its schema
   * ({@link UnknownJobTypeError}, {@link InvalidPayloadError}); nothing is stored otherwise.
   */
  async enqueue<T extends JobTypeName<J>>(
    type: T,
    payload?: PayloadInput<J[T]>,
    options?: EnqueueOptions,
  ): Promise<string> {
    const [outcome] = await this.enqueueMany([{ type, payload, options }]);
    return (outcome as contract.EnqueueOutcome).id;
  }

  /** Adds several jobs atomically (all or none, every payload checked first) in one round trip. */
  async enqueueMany(items: ReadonlyArray<EnqueueItemOf<J>>): Promise<EnqueueResult[]> {
    this.#assertOpen();
    if (!Array.isArray(items) || items.length === 0 || items.length > 1_000) {
      throw new ValidationError("enqueueMany takes 1 to 1000 jobs", "jobs");
    }
    const now = this.clock.now();
    const jobs = await toNewJobs(items, this.#schemas, this.#defaults, now);
    if (jobs.some((job) => job.concurrencyKey !== null)) requireFeature(this.backend, "limits");
    const outcomes = await this.backend.enqueue({ queue: this.name, now, jobs });
    this.#changes.notify(NEW_WORK);
    return outcomes;
  }

  /** Claims the next runnable job, or `null` when there is none. */
  async claim(options?: { leaseMs?: number | undefined }): Promise<Job | null> {
    const [job] = await this.claimMany(1, options);
    return job ?? null;
  }

  /** Claims up to `limit` runnable jobs in one atomic round trip. */
  async claimMany(limit: number, options?: { leaseMs?: number | undefined }): Promise<Job[]> {
    this.#assertOpen();
    await this.#limits.beforeClaim();
    return this.#claim(limit, options?.leaseMs, true);
  }

  /**
   * One claim. When it handed schedules back for a refill (after downtime, the missed tick's
   * job is made by the refill) and took fewer than `limit`, the jobs the refill made due are
   * claimed right away (`followUp`), not left to the next trigger, which may be a day away.
   */
  async #claim(limit: number, leaseMs: number | undefined, followUp: boolean): Promise<Job[]> {
    const claim = this.#newClaim(limit, leaseMs);
    const outcome = await this.backend.claim({ ...claim.input, queue: this.name, now: claim.now });
    const refilled = await this.#followUp.after(outcome, claim.now);
    const jobs = this.#adopt(outcome.jobs, claim);
    if (!followUp || !refilled || jobs.length >= limit) return jobs;
    return [...jobs, ...(await this.#claim(limit - jobs.length, leaseMs, false))];
  }

  /**
   * Completes a claimed job and claims up to `next.limit` more, in one atomic round trip when
   * the backend supports it (two otherwise): a busy worker's steady state.
   * `completed` is false (and nothing was written for the job) if it was no longer ours.
   */
  async #completeAndClaim(
    job: Job,
    result: unknown,
    next: { limit: number; leaseMs?: number | undefined },
  ): Promise<{ completed: boolean; next: Job[] }> {
    const combined = this.#combined;
    if (!combined) {
      const completed = await this.complete(job, result);
      return { completed, next: await this.claimMany(next.limit, next) };
    }
    const encoded = encodeJson(result, "result", this.#defaults.maxPayloadBytes);
    await this.#limits.beforeClaim();
    let claimed: {
      records: contract.JobRecord[];
      claim: ReturnType<typeof claimInput>;
      refilled: boolean;
    } | null = null;
    const completed = await this.#finish(job, async (at) => {
      // The new lease starts now, after pending progress was flushed (which may have taken
      // a while), never earlier.
      const claim = this.#newClaim(next.limit, next.leaseMs);
      const expiresAt = at.now + this.#retention.completedMs;
      const outcome = await combined({ ...at, result: encoded, expiresAt, next: claim.input });
      const refilled = await this.#followUp.after(outcome, claim.now);
      claimed = { records: outcome.claimed, claim, refilled };
      return outcome.completed;
    });
    // Nothing was sent when the job was already known lost: claim on its own then.
    if (claimed === null) return { completed, next: await this.claimMany(next.limit, next) };
    const { records, claim, refilled } = claimed;
    const jobs = this.#adopt(records, claim);
    // As in #claim: run what a refill made due now.
    if (!refilled || jobs.length >= next.limit) return { completed, next: jobs };
    return {
      completed,
      next: [...jobs, ...(await this.#claim(next.limit - jobs.length, next.leaseMs, false))],
    };
  }

  /**
   * Reports progress on a claimed job and extends its lease. Resolves to whether the job is
   * still ours; `false` means stop working on it (lease lost or cancelled).
   * Writes are coalesced: reports closer together than `progressIntervalMs` are merged and
   * the last one is written shortly after (or before `complete`/`fail`).
   */
  async update(job: Job, update: ProgressUpdate): Promise<boolean> {
    const patch = toProgressPatch(update, this.#defaults.maxPayloadBytes);
    return this.#leases.of(job).progress.push(patch);
  }

  /** Extends a claimed job's lease without reporting anything; resolves to "still ours?". */
  heartbeat(job: Job): Promise<boolean> {
    return this.#leases.of(job).progress.heartbeat();
  }

  /** Marks a claimed job completed with `result`. `false` (and nothing written) if it is no longer ours. */
  async complete(job: Job, result?: unknown): Promise<boolean> {
    const encoded = encodeJson(result, "result", this.#defaults.maxPayloadBytes);
    const { completedMs } = this.#retention;
    return this.#finish(job, (at) =>
      this.backend.complete({ ...at, result: encoded, expiresAt: at.now + completedMs }),
    );
  }

  /**
   * Records a failed attempt. With attempts left the job is requeued after its backoff;
   * otherwise (or with `retry: false`) it is dead-lettered as `failed`.
   * `false` (and nothing written) if the job is no longer ours.
   */
  async fail(
    job: Job,
    error: unknown,
    options?: { retry?: boolean | undefined },
  ): Promise<boolean> {
    const stored = JSON.stringify(describeError(error));
    const policy = this.#leases.of(job).backoff ?? this.#defaults.backoff;
    const retry = options?.retry !== false && job.attempts < job.maxAttempts;
    const { failedMs } = this.#retention;
    return this.#finish(job, (at) => {
      const retryAt = retry ? at.now + backoffDelay(policy, job.attempts) : null;
      return this.backend.fail({ ...at, error: stored, retryAt, expiresAt: at.now + failedMs });
    });
  }

  /**
   * Creates or replaces a recurring schedule: each tick of `cron` becomes one job, made by
   * whichever claim sees it due first (see docs/schedules-and-limits.md). The type, payload
   * and options are checked as `enqueue` checks them.
   */
  async schedule(id: string, options: ScheduleOptionsOf<J>): Promise<Schedule> {
    this.#assertOpen();
    const backend = requireFeature(this.backend, "schedules");
    const cron = requireCron(this.#cron, backend.name);
    const now = this.clock.now();
    const spec = options as ScheduleOptions;
    const { spec: schedule, upcoming } = await toScheduleSpec(
      id,
      spec,
      this.#schemas,
      this.#defaults,
      now,
      cron,
    );
    return toSchedule(await backend.putSchedule({ queue: this.name, now, schedule, upcoming }));
  }

  /** Deletes a schedule (jobs it made stay); false if there was none. */
  async unschedule(id: string): Promise<boolean> {
    this.#assertOpen();
    const backend = requireFeature(this.backend, "schedules");
    return backend.deleteSchedule(this.#scope(assertScheduleId(id)));
  }

  /** Every schedule of this queue, by id. */
  async schedules(): Promise<Schedule[]> {
    this.#assertOpen();
    const backend = requireFeature(this.backend, "schedules");
    const records = await backend.listSchedules(this.#queueScope());
    return records.map(toSchedule);
  }

  /**
   * Replaces the queue's limits, stored for every process: `keys` for each concurrency key
   * without limits of its own, `rateLimits` per job type. `{}` removes them all.
   *
   * @example
   * await queue.setLimits({ keys: { concurrency: 2 }, rateLimits: { email: { limit: 100, windowMs: 60_000 } } });
   */
  async setLimits(limits: QueueLimitOptions): Promise<void> {
    this.#assertOpen();
    await this.#limits.set(toQueueLimits(checkLimitOptions(limits)));
  }

  /** The queue's stored limits (`{}`: none). */
  async limits(): Promise<QueueLimitOptions> {
    this.#assertOpen();
    return toLimitOptions(await this.#limits.get());
  }

  /** Sets how many jobs of `key` may be active at once (`null`: the queue's `keys` limit). */
  async setConcurrency(key: string, limit: number | null): Promise<void> {
    const concurrency = limit === null ? null : positiveCount(limit, "limit");
    await this.#limits.setKey(this.#key(key), { concurrency });
  }

  /** Sets how many jobs of `key` may start per window (`null`: the queue's `keys` limit). */
  async setRateLimit(key: string, limit: RateLimit | null): Promise<void> {
    const value = limit === null ? null : rateLimit(limit, "rateLimit");
    await this.#limits.setKey(this.#key(key), { rateLimit: value });
  }

  /** A key's own limits (`null` where the queue's `keys` limits apply). */
  async keyLimits(key: string): Promise<KeyLimits> {
    return this.#limits.getKey(this.#key(key));
  }

  #key(key: string): string {
    this.#assertOpen();
    return assertConcurrencyKey(key, "key");
  }

  /** Gives a claimed job back (runnable now, the attempt not counted), e.g. on shutdown. */
  async release(job: Job): Promise<boolean> {
    return this.#finish(job, (at) => this.backend.release(at));
  }

  /** The job as stored now, or `null`. */
  async get(id: string): Promise<TypedJob<J> | null> {
    this.#assertOpen();
    const record = await this.backend.get(this.#scope(id));
    return record ? (toJob(record) as TypedJob<J>) : null;
  }

  /**
   * Cancels a job from any process. A queued job ends at once; an active one is marked
   * cancelled, its worker's next write returns false and its `ctx.signal` aborts.
   * Resolves `true` if this call cancelled it, `false` if it had already finished.
   */
  async cancel(id: string): Promise<boolean> {
    this.#assertOpen();
    const scope = this.#scope(id);
    const expiresAt = scope.now + this.#retention.cancelledMs;
    const outcome = await this.backend.cancel({ ...scope, expiresAt, callId: newToken() });
    if (outcome === "not-found") throw new JobNotFoundError(id);
    this.#changes.notify(id);
    return outcome === "cancelled";
  }

  /** Redrives a dead-lettered (`failed`) job: queued again with a fresh set of attempts. */
  async retry(id: string): Promise<void> {
    this.#assertOpen();
    const outcome = await this.backend.retry({ ...this.#scope(id), callId: newToken() });
    if (outcome === "not-found") throw new JobNotFoundError(id);
    if (outcome === "not-failed") throw new InvalidStateError(`job ${id} is not failed`);
    this.#changes.notify(id);
    this.#changes.notify(NEW_WORK);
  }

  /** The job's events after sequence number `after`, oldest first. */
  async readEvents(
    id: string,
    options?: { after?: number | undefined; limit?: number | undefined },
  ): Promise<JobUpdate[]> {
    this.#assertOpen();
    const after = Math.max(0, Math.floor(options?.after ?? 0));
    const limit = Math.min(Math.max(1, options?.limit ?? 100), 1_000);
    const events = await this.backend.readEvents({ ...this.#scope(id), after, limit });
    return events.map((event) => toUpdate(id, event));
  }

  /** Jobs in insertion order, optionally of one state, a page at a time. */
  async list(options: ListOptions = {}): Promise<JobPage<TypedJob<J>>> {
    this.#assertOpen();
    const limit = Math.min(Math.max(1, options.limit ?? 50), 1_000);
    const query = { state: options.state, limit, cursor: options.cursor ?? null };
    const page = await this.backend.list({ ...this.#queueScope(), ...query });
    return { jobs: page.jobs.map((record) => toJob(record) as TypedJob<J>), cursor: page.cursor };
  }

  /** How many jobs are in each state. */
  async stats(): Promise<JobCounts> {
    this.#assertOpen();
    return this.backend.stats(this.#queueScope());
  }

  /** Deletes jobs (and their events) in the given states, default all; returns how many. */
  async purge(states?: JobState[]): Promise<number> {
    this.#assertOpen();
    return this.backend.purge({ ...this.#queueScope(), states });
  }

  /** Writes pending progress, then closes the backend's own connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#leases.flushAll();
    await this.backend.close?.();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #newClaim(limit: number, leaseMs?: number) {
    const { failedMs } = this.#retention;
    const now = this.clock.now();
    return claimInput(limit, leaseMs ?? this.leaseMs, now, failedMs);
  }

  /** Turns claimed records into jobs this queue object holds leases for. */
  #adopt(records: contract.JobRecord[], claim: ReturnType<typeof claimInput>): Job[] {
    return records.map((record) => {
      const job = toJob(record);
      this.#leases.track(job, claim.input.token, claim.leaseMs, record.backoff);
      this.#changes.notify(job.id);
      return job;
    });
  }

  /** Flushes pending progress (so the last report is stored), then runs the final write. */
  async #finish(job: Job, write: (at: contract.FencedInput) => Promise<boolean>): Promise<boolean> {
    this.#assertOpen();
    const lease = this.#leases.of(job);
    // If a write throws (store unreachable) the lease stays, so the caller may try again.
    const ok =
      (await lease.progress.flush()) &&
      (await write({ ...this.#scope(job.id), token: lease.token }));
    this.#leases.forget(job);
    if (ok) this.#changes.notify(job.id);
    return ok;
  }

  /** Names the queue and the time for a backend call. */
  #queueScope(): contract.QueueScope {
    return { queue: this.name, now: this.clock.now() };
  }

  /** Names the job, the queue and the time for a backend call. */
  #scope(id: string): contract.JobInput {
    return { ...this.#queueScope(), id };
  }

  #assertOpen(): void {
    if (this.#closed) throw new QueueClosedError(`queue ${this.name} is closed`);
  }
}
