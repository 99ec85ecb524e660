/**
 * The oracle's job writes outside the claim: enqueue, the fenced worker writes (update,
 * complete, fail, release) and the requested changes (cancel, redrive), each safe to re-send.
 */
import type {
  CancelInput,
  CancelOutcome,
  CompleteInput,
  EnqueueInput,
  EnqueueOutcome,
  EventRecord,
  FailInput,
  FencedInput,
  NewJobRecord,
  RequestedChangeInput,
  RetryOutcome,
  UpdateInput,
} from "../backend.js";
import { BackendError } from "../errors.js";
import {
  forgetIdleLane,
  insertJob,
  logEvent,
  type MemoryQueue,
  type StoredJob,
} from "./memory-store.js";

/**
 * Inserts the jobs all or none, in order, each seeing the ones stored before it (earlier jobs
 * of the call included): an id stored with the same content is a re-send (created, by this
 * call); an id stored with other content fails the whole call; an idempotency key held by a
 * live job answers its holder.
 */
export function enqueueJobs(q: MemoryQueue, input: EnqueueInput): EnqueueOutcome[] {
  const staged = new Map<string, NewJobRecord>();
  const outcomes = input.jobs.map((job) => {
    const stored = q.jobs.get(job.id)?.record ?? staged.get(job.id);
    if (stored) {
      if (stored.type !== job.type || stored.payload !== job.payload) {
        throw new BackendError(`memory: job id ${job.id} exists with other content`);
      }
      return { id: job.id, created: true };
    }
    const holder = keyHolder(q, staged, job.idempotencyKey);
    if (holder !== undefined) return { id: holder, created: false };
    staged.set(job.id, job);
    return { id: job.id, created: true };
  });
  for (const job of staged.values()) insertJob(q, input.now, job);
  return outcomes;
}

/** The id of the job holding an idempotency key: stored, or staged by this call. */
function keyHolder(
  q: MemoryQueue,
  staged: ReadonlyMap<string, NewJobRecord>,
  key: string | null,
): string | undefined {
  if (key === null) return undefined;
  for (const job of q.jobs.values()) if (job.record.idempotencyKey === key) return job.record.id;
  for (const job of staged.values()) if (job.idempotencyKey === key) return job.id;
  return undefined;
}

/**
 * Extends the lease and applies the progress patch of an `active` job held under the token.
 * A `progress` event is logged only when something changed (the lease end included), so a
 * re-sent call logs nothing twice; a pure heartbeat (no patch) logs nothing.
 */
export function updateJob(q: MemoryQueue, input: UpdateInput): boolean {
  const job = q.jobs.get(input.id);
  if (!job || job.token !== input.token || job.record.state !== "active") return false;
  const r = job.record;
  const patch = { progress: input.progress, message: input.message, data: input.data };
  const fields = (["progress", "message", "data"] as const).filter((f) => patch[f] !== undefined);
  const changed = r.leaseUntil !== input.leaseUntil || fields.some((f) => r[f] !== patch[f]);
  r.leaseUntil = input.leaseUntil;
  if (fields.length === 0) return true;
  if (patch.progress !== undefined) r.progress = patch.progress;
  if (patch.message !== undefined) r.message = patch.message;
  if (patch.data !== undefined) r.data = patch.data;
  r.updatedAt = input.now;
  if (changed) logEvent(job, "progress");
  return true;
}

/**
 * A fenced final write: applies while the job is `active` under the token. A re-send (the
 * token's own change — this event at this `now` — is the job's latest) answers true again.
 */
function finish(
  q: MemoryQueue,
  input: FencedInput,
  event: EventRecord["type"],
  apply: (job: StoredJob) => void,
): boolean {
  const job = q.jobs.get(input.id);
  if (!job || job.token !== input.token) return false;
  if (job.record.state !== "active") {
    const last = job.events.at(-1);
    return last?.type === event && last.at === input.now;
  }
  apply(job);
  job.record.leaseUntil = null;
  job.record.updatedAt = input.now;
  logEvent(job, event);
  return true;
}

/** Completes the job: `completed`, its result, progress 1, kept until `expiresAt`. */
export function completeJob(q: MemoryQueue, input: CompleteInput): boolean {
  return finish(q, input, "completed", (job) => {
    job.record.state = "completed";
    job.record.result = input.result;
    job.record.error = null;
    job.record.progress = 1;
    job.expiresAt = input.expiresAt;
  });
}

/** Dead-letters the job (`retryAt: null`), or puts it back to run at `retryAt`. */
export function failJob(q: MemoryQueue, input: FailInput): boolean {
  const { retryAt } = input;
  if (retryAt === null) {
    return finish(q, input, "failed", (job) => {
      job.record.state = "failed";
      job.record.error = input.error;
      job.expiresAt = input.expiresAt;
    });
  }
  return finish(q, input, "retry-scheduled", (job) => {
    job.record.state = "queued";
    job.record.error = input.error;
    job.record.runAt = retryAt;
  });
}

/** Gives the job back: `queued`, the attempt not counted. */
export function releaseJob(q: MemoryQueue, input: FencedInput): boolean {
  return finish(q, input, "released", (job) => {
    job.record.state = "queued";
    job.record.attempts -= 1;
  });
}

/** Cancels a `queued` or `active` job; the call's id takes the token (a re-send knows it). */
export function cancelJob(q: MemoryQueue, input: CancelInput): CancelOutcome {
  const job = q.jobs.get(input.id);
  if (!job) return "not-found";
  if (job.record.state === "queued" || job.record.state === "active") {
    job.record.state = "cancelled";
    job.record.leaseUntil = null;
    job.record.updatedAt = input.now;
    job.token = input.callId;
    job.expiresAt = input.expiresAt;
    logEvent(job, "cancelled");
    return "cancelled";
  }
  return isOwnChange(job, input) ? "cancelled" : "already-finished";
}

/** Redrives a `failed` job: `queued`, attempts reset, runnable now. */
export function retryJob(q: MemoryQueue, input: RequestedChangeInput): RetryOutcome {
  const job = q.jobs.get(input.id);
  if (!job) return "not-found";
  if (job.record.state === "failed") {
    job.record.state = "queued";
    job.record.attempts = 0;
    job.record.runAt = input.now;
    job.record.result = null;
    job.record.updatedAt = input.now;
    job.token = input.callId;
    job.redrivenBy = input.callId;
    job.expiresAt = null;
    forgetIdleLane(q, job);
    logEvent(job, "redriven");
    return "redriven";
  }
  return isOwnChange(job, input) ? "redriven" : "not-failed";
}

/** Whether this very call changed the job before (a re-sent cancel or redrive). */
function isOwnChange(job: StoredJob, { callId }: RequestedChangeInput): boolean {
  return job.token === callId || job.redrivenBy === callId;
}
