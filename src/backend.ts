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
import type { JobCounts, JobState, JobUpdateType } from "./job.js";

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
}

/** Every call names its queue and carries the core's clock reading. */
export interface QueueScope {
  queue: string;
  now: number;
}

export interface EnqueueInput extends QueueScope {
  /** Inserted all or none, in order. */
  jobs: NewJobRecord[];
}

/** Per input job: its id, and whether it was created (false: an idempotency key matched). */
export interface EnqueueOutcome {
  id: string;
  created: boolean;
}

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

/** One member of {@link Backend.completeAndClaimMany}: a completion and the claim after it. */
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

/** What a backend can do, so the core and adapters can adapt without probing. */
export interface BackendCapabilities {
  /** `embedded` runs in-process; `http` is fetch only (serverless-safe); `tcp` needs sockets. */
  transport: "embedded" | "http" | "tcp";
  /** Largest payload or result the store accepts, in bytes of UTF-8. */
  maxPayloadBytes: number;
}

/** The storage contract. See the module comment for the rules. */
export interface Backend {
  /** Short human-readable name, e.g. `libsql(file)`. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  enqueue(input: EnqueueInput): Promise<EnqueueOutcome[]>;
  /**
   * Claims up to `limit` runnable jobs: `queued` with `runAt <= now`, or `active` with an
   * expired lease and attempts left. Order: priority desc, then `runAt`, then insertion order.
   * Each claimed job gets `attempts + 1`, the token, the lease and an `active` event.
   */
  claim(input: ClaimInput): Promise<JobRecord[]>;
  update(input: UpdateInput): Promise<boolean>;
  complete(input: CompleteInput): Promise<boolean>;
  /**
   * Optional: `complete` then `claim` as one atomic operation and one round trip — a busy
   * worker's steady state. The core falls back to two calls when a backend lacks it.
   */
  completeAndClaim?(input: CompleteAndClaimInput): Promise<CompleteAndClaimOutcome>;
  /**
   * Optional: several workers' `completeAndClaim` calls as one atomic operation and one round
   * trip, one outcome per item in order. Each item is fenced on its own: a wrong token or a
   * lost lease gives that item `completed: false` (and no event); the others proceed. The core
   * groups concurrent completions into one call when a backend has this.
   */
  completeAndClaimMany?(input: CompleteAndClaimManyInput): Promise<CompleteAndClaimOutcome[]>;
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
  /** Deletes jobs and their events; returns how many jobs were removed. */
  purge(input: PurgeInput): Promise<number>;
  /** Prepares the store (e.g. creates or upgrades a schema). Optional; backends also do it lazily. */
  init?(): Promise<void>;
  /** Releases connections the backend opened itself (never a client the user passed in). */
  close?(): Promise<void>;
}
