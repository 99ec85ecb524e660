/**
 * The oracle's state (see `memoryBackend`): plain Maps and arrays, one {@link MemoryQueue} per
 * queue name, and the few job helpers every method shares (events, retention, copies).
 */
import type {
  EventRecord,
  JobRecord,
  KeyLimits,
  NewJobRecord,
  QueueLimits,
  ScheduleRecord,
} from "../backend.js";

/** The lane of a job: its concurrency key, or `null` for the unkeyed lane. */
export type Lane = string | null;

/** A stored job: the public record plus what only the store sees. */
export interface StoredJob {
  record: JobRecord;
  /** Insertion position in the queue (the `list` cursor and the last tie-break of claims). */
  position: number;
  /** The claim token; a cancel or redrive puts its `callId` here, the lease sweep clears it. */
  token: string | null;
  /** The `callId` of the redrive that last applied (a re-sent redrive knows its own). */
  redrivenBy: string | null;
  /** Retention: the job is gone once `now >= expiresAt`. */
  expiresAt: number | null;
  /** Place in the claim that started it (a re-sent claim answers in the same order). */
  claimPlace: number;
  /** That claim's `wakeAt` (a re-sent claim answers it again). */
  claimWakeAt: number | null;
  events: EventRecord[];
  /** Feature `push`: who is told (after the call) when the job's log grows. */
  watchers?: Set<() => void>;
}

/** A fixed rate window's end and the starts counted in it. */
export interface Window {
  end: number;
  starts: number;
}

/** A stored schedule and when a claim last fired it (refill lists are stable on re-send). */
export interface StoredSchedule {
  record: ScheduleRecord;
  /** Order of creation (due schedules are materialised in this order). */
  created: number;
  /** The `now` of the claim that last fired a tick of it, or null. */
  firedAt: number | null;
}

/** Everything stored for one queue name. */
export interface MemoryQueue {
  name: string;
  /** By id; Map order is insertion order. */
  jobs: Map<string, StoredJob>;
  nextPosition: number;
  /** The stored settings record, or null when none was ever stored. */
  limits: QueueLimits | null;
  keyLimits: Map<string, KeyLimits>;
  keyWindows: Map<string, Window>;
  typeWindows: Map<string, Window>;
  /** Each lane's turn (claim rule 6); a lane not in the map was never served. */
  turns: Map<Lane, number>;
  /** The latest turn handed out. */
  lastTurn: number;
  /** Turns are recorded once the queue has had a keyed job. */
  hadKeyedJob: boolean;
  schedules: Map<string, StoredSchedule>;
  nextScheduleNumber: number;
}

/** A queue with nothing stored. */
export function emptyQueue(name: string): MemoryQueue {
  return {
    name,
    jobs: new Map(),
    nextPosition: 1,
    limits: null,
    keyLimits: new Map(),
    keyWindows: new Map(),
    typeWindows: new Map(),
    turns: new Map(),
    lastTurn: 0,
    hadKeyedJob: false,
    schedules: new Map(),
    nextScheduleNumber: 1,
  };
}

/** Appends the job's event for the change just made: `seq` moves on by one. */
export function logEvent(job: StoredJob, type: EventRecord["type"]): void {
  for (const notice of job.watchers ?? []) queueMicrotask(notice);
  const r = job.record;
  r.seq += 1;
  job.events.push({
    seq: r.seq,
    type,
    at: r.updatedAt,
    state: r.state,
    progress: r.progress,
    message: r.message,
    data: r.data,
    attempt: r.attempts,
    runAt: r.runAt,
    result: r.result,
    error: r.error,
  });
}

/** Inserts a new `queued` job (with its `enqueued` event) at the end of the queue. */
export function insertJob(q: MemoryQueue, now: number, job: NewJobRecord): StoredJob {
  const stored: StoredJob = {
    record: {
      id: job.id,
      queue: q.name,
      type: job.type,
      payload: job.payload,
      state: "queued",
      priority: job.priority,
      attempts: 0,
      maxAttempts: job.maxAttempts,
      runAt: job.runAt,
      createdAt: now,
      updatedAt: now,
      progress: 0,
      message: null,
      data: null,
      result: null,
      error: null,
      backoff: job.backoff,
      leaseUntil: null,
      idempotencyKey: job.idempotencyKey,
      concurrencyKey: job.concurrencyKey,
      seq: 0,
    },
    position: q.nextPosition++,
    token: null,
    redrivenBy: null,
    expiresAt: null,
    claimPlace: 0,
    claimWakeAt: null,
    events: [],
  };
  logEvent(stored, "enqueued");
  forgetIdleLane(q, stored);
  q.jobs.set(job.id, stored);
  if (job.concurrencyKey !== null) q.hadKeyedJob = true;
  return stored;
}

/**
 * Claim rule 6: a job entering a keyed lane from outside `active` (enqueued, or redriven from
 * `failed`) while the lane has no other `queued` and no `active` job finds it never served.
 */
export function forgetIdleLane(q: MemoryQueue, entering: StoredJob): void {
  const key = entering.record.concurrencyKey;
  if (key === null) return;
  for (const job of q.jobs.values()) {
    const { state, concurrencyKey } = job.record;
    if (job !== entering && concurrencyKey === key && (state === "queued" || state === "active"))
      return;
  }
  q.turns.delete(key);
}

/** Retention: jobs whose `expiresAt` has come are gone, with their events. */
export function dropExpired(q: MemoryQueue, now: number): void {
  for (const [id, job] of q.jobs) {
    if (job.expiresAt !== null && job.expiresAt <= now) q.jobs.delete(id);
  }
}

/** A copy of the job's record, safe to hand out. */
export function recordOf(job: StoredJob): JobRecord {
  return { ...job.record };
}

/** The lane a job belongs to (claim rule 2). */
export function laneOf(job: StoredJob): Lane {
  return job.record.concurrencyKey;
}

/** Whether the job may be claimed now: `queued` and due. */
export function isRunnable(job: StoredJob, now: number): boolean {
  return job.record.state === "queued" && job.record.runAt <= now;
}

/** Lane order (claim rule 3): priority desc, then `runAt`, then insertion. */
export function byLaneOrder(a: StoredJob, b: StoredJob): number {
  return (
    b.record.priority - a.record.priority ||
    a.record.runAt - b.record.runAt ||
    a.position - b.position
  );
}
