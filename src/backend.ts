/**
 * THE contract every storage backend implements.
 *
 * Rules for implementers:
 * - Each method is one atomic operation and, for remote stores, one round trip.
 * - Every state change appends an {@link EventRecord} to the job's log in the same atomic
 *   operation, with the job's sequence number incremented by exactly one.
 * - Time comes from the `now` argument; a backend never reads the wall clock for queue logic.
 * - Payloads, results, progress data, errors and backoff policies are opaque strings that the
 *   core encodes and decodes. A backend stores them byte for byte.
 * - Worker-side writes (`update`, `complete`, `fail`, `release`) are fenced: they change
 *   something only if the job is `active` and holds the given claim token, and report whether
 *   they did.
 * - Every mutating method is safe to re-send with the same input (clients re-send a call whose
 *   reply was lost): the repeat changes nothing more, logs no second event, and answers as the
 *   first run did. Claim tokens, `callId`s and `now` make a re-send recognisable.
 *
 * The conformance suite in `jdobb-async-queue/testing` checks all of this.
 */
import type { EnqueueResult as EnqueueOutcome, JobCounts, JobState, JobUpdateType } from "./job.js";
import type { KeyLimits, RateLimit } from "./limits.js";

// User vocabulary the contract passes on as it is: per input job of `enqueue`, its id and
// whether it was created (false: an idempotency key matched); a key's stored overrides (`null`:
// the queue's settings apply); a rate limit.
export type { EnqueueOutcome, KeyLimits, RateLimit };

/** A job as a backend stores it. Opaque fields are the core's JSON strings. */
export interface JobRecord {
  id: string;
  queue: string;
  type: string;
  payload: string;
  state: JobState;
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  createdAt: number;
  updatedAt: number;
  progress: number;
  message: string | null;
  data: string | null;
  result: string | null;
  error: string | null;
  backoff: string | null;
  leaseUntil: number | null;
  idempotencyKey: string | null;
  /** The job's concurrency key (its lane for fairness and per-key limits), or null. */
  concurrencyKey: string | null;
  seq: number;
}

/** One event of a job's log: the job's public fields right after a change. */
export interface EventRecord {
  seq: number;
  type: Exclude<JobUpdateType, "snapshot">;
  at: number;
  state: JobState;
  progress: number;
  message: string | null;
  data: string | null;
  attempt: number;
  runAt: number;
  result: string | null;
  error: string | null;
}

/** A job to insert. The core mints the id. */
export interface NewJobRecord {
  id: string;
  type: string;
  payload: string;
  priority: number;
  runAt: number;
  maxAttempts: number;
  backoff: string | null;
  idempotencyKey: string | null;
  concurrencyKey: string | null;
}

/** Every call names its queue and carries the core's clock reading. */
export interface QueueScope {
  queue: string;
  now: number;
}

export interface EnqueueInput extends QueueScope {
  /**
   * Inserted all or none, in order, job by job: each job sees what the ones before it in
   * this call stored. A job whose idempotency key is held (by a live job) is not inserted and
   * answers the holder; an id that exists (or came earlier in this call) with other content
   * fails the whole call; a job past its retention no longer holds its id or key.
   */
  jobs: NewJobRecord[];
}

/** A rate limit on one job type. */
export interface TypeRateLimit extends RateLimit {
  type: string;
}

/**
 * A queue's stored settings (feature `limits`): one record per queue, written whole by
 * {@link LimitMethods.setQueueLimits} and read by every claim in the same atomic operation, so
 * every process claims under the same limits. Per-key overrides ({@link KeyLimits}) win over
 * `keyConcurrency` / `keyRateLimit`.
 */
export interface QueueLimits {
  /** Most active jobs per concurrency key without an override; `null`: no limit. */
  keyConcurrency: number | null;
  /** Starts per concurrency key and window without an override; `null`: no limit. */
  keyRateLimit: RateLimit | null;
  /** Starts per job type and window (every job of the type, keyed or not), sorted by type. */
  typeRateLimits: TypeRateLimit[];
}

/** The settings of a queue that never stored any: nothing is limited. */
export const NO_LIMITS: QueueLimits = Object.freeze({
  keyConcurrency: null,
  keyRateLimit: null,
  typeRateLimits: [],
}) as QueueLimits;

/**
 * Claim rules (every backend, every claim, one atomic operation). A backend without the
 * `limits` feature keeps no lanes: its claim is rules 0, 1 and 6 with every job in one lane.
 *
 * 0. **Sweep.** An `active` job whose lease has ended (`leaseUntil <= now`) goes back to
 *    `queued` (event `lease-expired`), or to `failed` with `expiredError` when its attempts are
 *    spent. Then (feature `schedules`) up to {@link SCHEDULES_PER_CLAIM} schedules whose first
 *    upcoming tick is due are materialised (see {@link ScheduleRecord}), so this very claim can
 *    take their jobs.
 * 1. **Eligible jobs**: `queued` with `runAt <= now`, whose type is not *spent* — a type is
 *    spent when the queue's settings rate-limit it and its current window has no starts left
 *    as the claim begins.
 * 2. **Lanes.** A job's lane is its concurrency key; jobs without one share the unkeyed lane.
 *    A lane's *cap* is `limit` for the unkeyed lane; for a keyed lane the smaller of its room
 *    (concurrency limit minus its `active` jobs) and the starts left in its key window, either
 *    unlimited when the key has no such limit (its override, else the queue's setting). A lane
 *    is open while its cap is above 0.
 * 3. **Candidates**: each open lane's first `min(cap, limit)` eligible jobs in lane order
 *    (priority desc, then `runAt`, then insertion), found among its first
 *    `limit + `{@link TYPE_SKIP_DEPTH} runnable jobs.
 * 4. **Order.** Candidates are ranked by: priority desc; then the *round* (1 + the number of
 *    candidates of the same lane and the same priority before it); then the lane's *turn*
 *    (lanes never served first, then the least recently served); then the run time and then
 *    the insertion of the lane's first candidate. So at each priority, lanes take turns.
 * 5. **Take** the first `limit` candidates in that order, then drop each one whose type has no
 *    starts left once the kept candidates before it are counted (so a claim may take fewer than
 *    it could; the next claim finds the type spent and skips it).
 * 6. **Start** what is left, in that order: `attempts + 1`, the token, the lease, an `active`
 *    event. Starts count against the key's and the type's current windows (a re-sent claim
 *    counts nothing twice). Every lane this claim served gets a turn above all earlier turns,
 *    in the order of its last job in the claim. Turns are kept once the queue has had a keyed
 *    job: until then a claim records no turn. Any end of an `active` job frees its key's slot;
 *    windows are never refunded. A keyed lane with no `queued` and no `active` job keeps no
 *    turn: a job enqueued (or redriven from `failed`) into such a lane finds it never served,
 *    so a store may forget an idle lane (a job going back from `active` to `queued` keeps it).
 *
 * The oracle, `memoryBackend()` in `jdobb-async-queue/testing`, is these rules as plain code.
 */
export interface ClaimInput extends QueueScope {
  /** Claim at most this many jobs. */
  limit: number;
  /** Fresh token for this claim; stored on every job it claims. */
  token: string;
  leaseUntil: number;
  /**
   * An active job whose lease expired with no attempts left is moved to `failed` by the claim,
   * with this error (JSON) and retention.
   */
  expiredError: string;
  failedExpiresAt: number;
}

/** Claim rule 3: how many jobs past its first candidates a lane is searched for eligible ones. */
export const TYPE_SKIP_DEPTH = 100;

/** What a claim returns. */
export interface ClaimOutcome {
  /** The claimed jobs, in claim order. */
  jobs: JobRecord[];
  /**
   * Feature `limits`; `null` otherwise. Only when the claim took fewer jobs than its `limit`:
   * the earliest end of a current rate window (as it stands after the claim) that holds back
   * an eligible-but-for-the-window job — the key window of a keyed lane with room, no starts
   * left and a runnable job; or the window of a type with no starts left that has a job among
   * the first `limit + TYPE_SKIP_DEPTH` runnable jobs of the unkeyed lane or of an open keyed
   * lane. Else `null`. An idle worker sleeps until then instead of polling.
   */
  wakeAt: number | null;
  /**
   * Feature `schedules`; `[]` otherwise. The schedules that are due at `now` or were fired by
   * a claim at this same `now`, and have fewer than {@link SCHEDULE_REFILL_BELOW} upcoming
   * ticks left (or none), as they are now, sorted by id (so a re-sent claim answers the same):
   * the core computes their next ticks (and any missed ones) and calls
   * {@link ScheduleMethods.refillSchedule}.
   */
  refill: ScheduleRecord[];
}

/** A schedule as the caller defines it; its jobs' fields are stored encoded, as for enqueue. */
export interface ScheduleSpec {
  /** 1-100 characters of `[A-Za-z0-9_.:-]`. */
  id: string;
  /** The cron expression (croner syntax: 5 or 6 fields, or a nickname such as `@hourly`). */
  cron: string;
  /** IANA time zone the expression is read in; `null`: UTC. */
  timezone: string | null;
  type: string;
  payload: string;
  priority: number;
  maxAttempts: number;
  backoff: string | null;
  concurrencyKey: string | null;
  /** After downtime: `latest` runs only the latest missed tick, `all` each one (bounded). */
  catchUp: "latest" | "all";
}

/**
 * A stored schedule. Cron is evaluated by the core (stores cannot run it): the core keeps a
 * list of upcoming tick times on the record, and a claim that finds the first of them due
 * materialises it. With `d` = the upcoming ticks that are due (<= now) and `r` the rest:
 * - if `r` is empty, ticks beyond the list may have been missed: nothing is fired and the
 *   schedule is returned in {@link ClaimOutcome.refill} (the core fires what was missed);
 * - else each fired tick (the last of `d`, or every one of `d` with `catchUp: "all"`) becomes
 *   one job with id {@link scheduledJobId}`(queue, id, tick)`, `runAt` = the tick, created only if
 *   no job with that id exists; `upcoming` becomes `r`, `lastTickAt` the last of `d`, and
 *   `version` moves on.
 */
export interface ScheduleRecord extends ScheduleSpec {
  /** Tick times (epoch ms, ascending) not yet fired. */
  upcoming: number[];
  /** The latest tick fired (or skipped by `catchUp: "latest"`), or `null`. */
  lastTickAt: number | null;
  /** Moves on with every change; {@link ScheduleMethods.refillSchedule} is fenced by it. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

/** Claim rule 1: due schedules materialised per claim, at most. */
export const SCHEDULES_PER_CLAIM = 100;

/** A claim returns a schedule for refilling once it has fewer upcoming ticks than this. */
export const SCHEDULE_REFILL_BELOW = 4;

/**
 * The id of the job a schedule's tick becomes: one job per (queue, schedule, tick). Neither a
 * queue name nor a schedule id can hold `@`, so ids of different queues never meet.
 */
export function scheduledJobId(queue: string, scheduleId: string, tick: number): string {
  return `${queue}@${scheduleId}@${tick}`;
}

export interface PutScheduleInput extends QueueScope {
  /**
   * Creates or replaces the schedule with this id. `lastTickAt` is kept when it existed, and
   * so are its upcoming ticks while `cron` and `timezone` stay the same (`upcoming` is used
   * for a new schedule or new times): a tick already due is still fired. A re-sent call
   * stores the same thing again.
   */
  schedule: ScheduleSpec;
  upcoming: number[];
}

export interface RefillScheduleInput extends QueueScope {
  id: string;
  /** Applies only while the schedule still has this version (else returns false). */
  version: number;
  /** Ticks to fire now (each a job, created only if its id does not exist yet), ascending. */
  fire: number[];
  /** The new upcoming list. */
  upcoming: number[];
  lastTickAt: number | null;
}

/** Replaces the queue's settings record; with `onlyIfAbsent`, writes only where none exists. */
export interface SetQueueLimitsInput extends QueueScope {
  limits: QueueLimits;
  onlyIfAbsent?: boolean;
}

/** Per-key overrides: `undefined` leaves a setting as it is, `null` removes the override. */
export interface SetKeyLimitsInput extends QueueScope {
  key: string;
  concurrency?: number | null;
  rateLimit?: RateLimit | null;
}

/** Identifies a job held under a claim token. */
export interface FencedInput extends QueueScope {
  id: string;
  token: string;
}

export interface UpdateInput extends FencedInput {
  leaseUntil: number;
  /** Omit all three for a pure heartbeat: the lease is extended and no event is written. */
  progress?: number;
  message?: string | null;
  data?: string | null;
}

export interface CompleteInput extends FencedInput {
  result: string;
  expiresAt: number;
}

export interface CompleteAndClaimInput extends CompleteInput {
  /** The claim to make right after the completion, in the same atomic operation. */
  next: Omit<ClaimInput, "queue" | "now">;
}

/** One member of {@link GroupedCompletionMethods.completeAndClaimMany}: a completion and the claim after it. */
export type CompleteAndClaimItem = Omit<CompleteAndClaimInput, "queue" | "now">;

export interface CompleteAndClaimManyInput extends QueueScope {
  /** Completed and claimed in this order, each fenced by its own token. */
  items: CompleteAndClaimItem[];
}

export interface CompleteAndClaimOutcome {
  /** Whether the completion applied (false: the job was no longer ours; nothing written). */
  completed: boolean;
  /** Jobs claimed afterwards (the claim happens either way). */
  claimed: JobRecord[];
  /** As {@link ClaimOutcome.wakeAt}, for the claim after the completion. */
  wakeAt: number | null;
  /** As {@link ClaimOutcome.refill} (in a group: reported on the first member only). */
  refill: ScheduleRecord[];
}

export interface FailInput extends FencedInput {
  error: string;
  /** Back to `queued` at this time, or `null` to dead-letter the job (`failed`). */
  retryAt: number | null;
  expiresAt: number;
}

export interface JobInput extends QueueScope {
  id: string;
}

/**
 * A change any process may request (cancel, redrive). `callId` is unique per call and the same
 * when a client re-sends it, so a backend can tell its own earlier run from someone else's
 * and answer a re-sent call as it answered the first time.
 */
export interface RequestedChangeInput extends JobInput {
  callId: string;
}

export interface CancelInput extends RequestedChangeInput {
  expiresAt: number;
}

export type CancelOutcome = "cancelled" | "not-found" | "already-finished";
export type RetryOutcome = "redriven" | "not-found" | "not-failed";

export interface ReadEventsInput extends JobInput {
  /** Return events with `seq > after`, oldest first. */
  after: number;
  limit: number;
}

export interface ListInput extends QueueScope {
  state?: JobState;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | null;
}

export interface ListOutcome {
  jobs: JobRecord[];
  cursor: string | null;
}

export interface PurgeInput extends QueueScope {
  /** Remove jobs in these states (default: every state). */
  states?: JobState[];
}

/**
 * The optional method groups. A backend lists in {@link BackendCapabilities.features} the
 * groups it implements, and implements each listed group whole. The core refuses a feature the
 * backend lacks at the call, with an `UnsupportedError` naming the feature.
 */
export type BackendFeature = "schedules" | "limits" | "groupedCompletion" | "push";

/** Every optional group, in the order the docs present them. */
export const BACKEND_FEATURES: readonly BackendFeature[] = Object.freeze([
  "schedules",
  "limits",
  "groupedCompletion",
  "push",
]);

/** What a backend can do, so the core and adapters can adapt without probing. */
export interface BackendCapabilities {
  /** Largest payload or result the store accepts, in bytes of UTF-8. */
  maxPayloadBytes: number;
  /** The optional groups implemented (see {@link BackendFeature}). */
  features: readonly BackendFeature[];
}

/** The required core: every backend implements these. See the module comment for the rules. */
export interface CoreBackend {
  /** Short human-readable name, e.g. `libsql(file)`. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** Inserts jobs all or none, in order; an idempotency key already held answers its holder. */
  enqueue(input: EnqueueInput): Promise<EnqueueOutcome[]>;
  /**
   * Claims up to `limit` runnable jobs by the claim rules on {@link ClaimInput}: `queued` with
   * `runAt <= now` (an expired lease is swept back to `queued` first). Without the `limits`
   * feature the order is priority desc, then `runAt`, then insertion.
   */
  claim(input: ClaimInput): Promise<ClaimOutcome>;
  update(input: UpdateInput): Promise<boolean>;
  complete(input: CompleteInput): Promise<boolean>;
  fail(input: FailInput): Promise<boolean>;
  /** Gives a claimed job back untouched: `queued`, runnable now, the attempt not counted. */
  release(input: FencedInput): Promise<boolean>;
  cancel(input: CancelInput): Promise<CancelOutcome>;
  /** Redrives a `failed` job: `queued`, attempts reset, runnable now. */
  retry(input: RequestedChangeInput): Promise<RetryOutcome>;
  /** `null` when missing or past its retention. */
  get(input: JobInput): Promise<JobRecord | null>;
  readEvents(input: ReadEventsInput): Promise<EventRecord[]>;
  list(input: ListInput): Promise<ListOutcome>;
  stats(input: QueueScope): Promise<JobCounts>;
  /**
   * Deletes jobs and their events; returns how many live jobs were removed (jobs already past
   * their retention count as gone). Lane turns and limits are kept.
   */
  purge(input: PurgeInput): Promise<number>;
  /** Prepares the store (e.g. creates or upgrades a schema). Optional; backends also do it lazily. */
  init?(): Promise<void>;
  /** Releases connections the backend opened itself (never a client the user passed in). */
  close?(): Promise<void>;
}

/** Feature `schedules`: stored recurring jobs, materialised by claims (claim rule 0). */
export interface ScheduleMethods {
  /** Creates or replaces a schedule (see {@link ScheduleRecord}); answers it as stored. */
  putSchedule(input: PutScheduleInput): Promise<ScheduleRecord>;
  /** Deletes a schedule (its jobs stay); false if there was none (so a re-send answers false). */
  deleteSchedule(input: JobInput): Promise<boolean>;
  /** Every schedule of the queue, by id. */
  listSchedules(input: QueueScope): Promise<ScheduleRecord[]>;
  /**
   * Fires missed ticks and stores the next upcoming ones, fenced by `version`: false when the
   * version moved on (another refill won, or this is a re-send of one that applied; the core
   * ignores the answer, and a fired tick never makes a second job).
   */
  refillSchedule(input: RefillScheduleInput): Promise<boolean>;
}

/** Feature `limits`: concurrency keys as lanes, fair rotation, key and type limits. */
export interface LimitMethods {
  /** Writes the queue's settings record (claim rules 1-2); answers the record as stored. */
  setQueueLimits(input: SetQueueLimitsInput): Promise<QueueLimits>;
  /** The queue's settings record ({@link NO_LIMITS} when none is stored). */
  getQueueLimits(input: QueueScope): Promise<QueueLimits>;
  /** Stores per-key overrides of the queue's key limits. */
  setKeyLimits(input: SetKeyLimitsInput): Promise<void>;
  /** A key's stored overrides. */
  getKeyLimits(input: QueueScope & { key: string }): Promise<KeyLimits>;
}

/** Feature `groupedCompletion`: a busy worker's steady state in one round trip. */
export interface GroupedCompletionMethods {
  /** `complete` then `claim` as one atomic operation and one round trip. */
  completeAndClaim(input: CompleteAndClaimInput): Promise<CompleteAndClaimOutcome>;
  /**
   * Several workers' `completeAndClaim` calls as one atomic operation, one outcome per item in
   * order. The sweep runs once, first; each item is fenced on its own: a wrong token or a lost
   * lease gives that item `completed: false` (and no event); the others proceed.
   */
  completeAndClaimMany(input: CompleteAndClaimManyInput): Promise<CompleteAndClaimOutcome[]>;
}

/** Input of {@link PushMethods.watch}. */
export interface WatchInput extends JobInput {
  /**
   * Called after each event appended to the job while the watch lasts, and whenever notices
   * may have been missed (the store's channel reconnected): the caller then reads the log.
   */
  onNotice(): void;
  /** Ends the watch. */
  signal: AbortSignal;
}

/**
 * Feature `push`: the store tells a watcher when a job's event log grows, so followers read on
 * notice instead of polling. Notices carry no payloads or results, and one may still be lost:
 * callers keep a slow safety poll. A job nobody watches costs nothing extra.
 */
export interface PushMethods {
  /**
   * Watches one job until `signal` aborts: resolves once notices flow (an event appended after
   * that is noticed); rejects when the store refuses to push (e.g. ACLs forbid SUBSCRIBE), and
   * the caller polls instead. Cheap to repeat; watches share one channel per process.
   */
  watch(input: WatchInput): Promise<void>;
}

/** The methods of each optional group. */
export interface FeatureMethods {
  schedules: ScheduleMethods;
  limits: LimitMethods;
  groupedCompletion: GroupedCompletionMethods;
  push: PushMethods;
}

/**
 * The storage contract: the required core, and the optional groups a backend declares in
 * `capabilities.features`. See the module comment for the rules.
 */
export interface Backend
  extends CoreBackend,
    Partial<ScheduleMethods>,
    Partial<LimitMethods>,
    Partial<GroupedCompletionMethods>,
    Partial<PushMethods> {}

/** A backend with every optional group, as the oracle is (the shipped ones: all but `push` on libSQL). */
export type FullBackend = CoreBackend &
  ScheduleMethods &
  LimitMethods &
  GroupedCompletionMethods &
  PushMethods;

/** Whether `backend` declares `feature` (and so implements its methods). */
export function hasFeature<F extends BackendFeature>(
  backend: Backend,
  feature: F,
): backend is Backend & FeatureMethods[F] {
  return backend.capabilities.features.includes(feature);
}
