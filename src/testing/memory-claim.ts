/**
 * The oracle's claim: the claim rules on `ClaimInput` (backend.ts), literally — compute the
 * candidates, rank them, take `limit`, drop the over-budget types, start what is left.
 */
import { type ClaimInput, type JobRecord, TYPE_SKIP_DEPTH } from "../backend.js";
import {
  countJobStart,
  keyRoom,
  keyRules,
  keyStartsLeft,
  laneCap,
  typeRate,
  typeStartsLeft,
  windowEnd,
} from "./memory-limits.js";
import {
  byLaneOrder,
  isRunnable,
  type Lane,
  laneOf,
  logEvent,
  type MemoryQueue,
  recordOf,
  type StoredJob,
} from "./memory-store.js";

/** A candidate of claim rule 3, with what rule 4 ranks it by. */
interface Candidate {
  job: StoredJob;
  lane: Lane;
  /** 1 + the candidates of the same lane and priority before it. */
  round: number;
  /** The lane's turn; `undefined`: never served. */
  turn: number | undefined;
  /** The lane's first candidate. */
  first: StoredJob;
}

/**
 * Claim rule 0, first half: an `active` job whose lease has ended goes back to `queued`, or to
 * `failed` when its attempts are spent. Its token is cleared: the stale holder is fenced.
 */
export function sweepLeases(
  q: MemoryQueue,
  input: Pick<ClaimInput, "now" | "expiredError" | "failedExpiresAt">,
): void {
  for (const job of q.jobs.values()) {
    const r = job.record;
    if (r.state !== "active" || r.leaseUntil === null || r.leaseUntil > input.now) continue;
    job.token = null;
    r.leaseUntil = null;
    r.updatedAt = input.now;
    if (r.attempts >= r.maxAttempts) {
      r.state = "failed";
      r.error = input.expiredError;
      job.expiresAt = input.failedExpiresAt;
      logEvent(job, "failed");
    } else {
      r.state = "queued";
      logEvent(job, "lease-expired");
    }
  }
}

/**
 * Claim rules 1-6 (the sweep has run). A re-sent claim (its token and lease end still on
 * active jobs) answers those jobs, in their claim order, and claims nothing new. Without the
 * `limits` feature every job is in one lane and nothing is counted.
 */
export function claimJobs(q: MemoryQueue, input: ClaimInput, withLimits: boolean): JobRecord[] {
  const held = [...q.jobs.values()].filter(
    (job) =>
      job.record.state === "active" &&
      job.token === input.token &&
      job.record.leaseUntil === input.leaseUntil,
  );
  if (held.length > 0) {
    return held.sort((a, b) => a.claimPlace - b.claimPlace).map(recordOf);
  }
  const chosen = withLimits ? chooseWithLanes(q, input) : chooseFromOneLane(q, input);
  chosen.forEach((job, place) => {
    startJob(job, input, place);
    if (withLimits) countJobStart(q, laneOf(job), job.record.type, input.now);
  });
  // Rule 6: each lane served gets a turn above all earlier ones, by its last job here.
  if (withLimits && q.hadKeyedJob) {
    for (const job of chosen) q.turns.set(laneOf(job), ++q.lastTurn);
  }
  return chosen.map(recordOf);
}

/** No lanes: the first `limit` runnable jobs in lane order. */
function chooseFromOneLane(q: MemoryQueue, { now, limit }: ClaimInput): StoredJob[] {
  return runnableJobs(q, now).sort(byLaneOrder).slice(0, limit);
}

/** Rules 1-5: candidates per open lane, ranked, the first `limit`, minus over-budget types. */
function chooseWithLanes(q: MemoryQueue, { now, limit }: ClaimInput): StoredJob[] {
  const spent = (type: string) => typeStartsLeft(q, type, now) <= 0;
  const candidates: Candidate[] = [];
  for (const [lane, jobs] of runnableByLane(q, now)) {
    const cap = laneCap(q, lane, limit, now);
    if (cap <= 0) continue;
    const eligible = jobs
      .slice(0, limit + TYPE_SKIP_DEPTH)
      .filter((job) => !spent(job.record.type))
      .slice(0, Math.min(cap, limit));
    const first = eligible[0];
    if (first === undefined) continue;
    const turn = q.turns.get(lane);
    eligible.forEach((job, i) => {
      const round =
        1 + eligible.slice(0, i).filter((o) => o.record.priority === job.record.priority).length;
      candidates.push({ job, lane, round, turn, first });
    });
  }
  candidates.sort(byRank);
  const used = new Map<string, number>();
  const kept: StoredJob[] = [];
  for (const { job } of candidates.slice(0, limit)) {
    const type = job.record.type;
    const before = used.get(type) ?? 0;
    if (typeStartsLeft(q, type, now) - before <= 0) continue;
    used.set(type, before + 1);
    kept.push(job);
  }
  return kept;
}

/** Rule 4: priority desc, round, turn (never served first), then the lane's first candidate. */
function byRank(a: Candidate, b: Candidate): number {
  return (
    b.job.record.priority - a.job.record.priority ||
    a.round - b.round ||
    (a.turn ?? Number.NEGATIVE_INFINITY) - (b.turn ?? Number.NEGATIVE_INFINITY) ||
    a.first.record.runAt - b.first.record.runAt ||
    a.first.position - b.first.position
  );
}

/** Rule 6: `attempts + 1`, the token, the lease, an `active` event. */
function startJob(job: StoredJob, input: ClaimInput, place: number): void {
  const r = job.record;
  r.state = "active";
  r.attempts += 1;
  r.leaseUntil = input.leaseUntil;
  r.updatedAt = input.now;
  job.token = input.token;
  job.claimPlace = place;
  logEvent(job, "active");
}

function runnableJobs(q: MemoryQueue, now: number): StoredJob[] {
  return [...q.jobs.values()].filter((job) => isRunnable(job, now));
}

/** Runnable jobs per lane, each lane in lane order. */
function runnableByLane(q: MemoryQueue, now: number): Map<Lane, StoredJob[]> {
  const lanes = new Map<Lane, StoredJob[]>();
  for (const job of runnableJobs(q, now)) {
    const lane = laneOf(job);
    const jobs = lanes.get(lane);
    if (jobs) jobs.push(job);
    else lanes.set(lane, [job]);
  }
  for (const jobs of lanes.values()) jobs.sort(byLaneOrder);
  return lanes;
}

/**
 * `ClaimOutcome.wakeAt`, after a claim that took `taken` jobs: the earliest end of a current
 * rate window that holds back an eligible-but-for-the-window job, or null.
 */
export function wakeAt(
  q: MemoryQueue,
  { now, limit }: Pick<ClaimInput, "now" | "limit">,
  taken: number,
  withLimits: boolean,
): number | null {
  if (!withLimits || taken >= limit) return null;
  const ends: number[] = [];
  const scanned: StoredJob[] = [];
  for (const [lane, jobs] of runnableByLane(q, now)) {
    if (lane !== null) {
      const rate = keyRules(q, lane).rateLimit;
      // A keyed lane with room, no starts left and a runnable job: its key window.
      if (rate !== null && keyRoom(q, lane) > 0 && keyStartsLeft(q, lane, now) <= 0) {
        ends.push(windowEnd(now, rate.windowMs));
      }
      if (laneCap(q, lane, limit, now) <= 0) continue; // types: open lanes only
    }
    scanned.push(...jobs.slice(0, limit + TYPE_SKIP_DEPTH));
  }
  // A spent type with a job among the first runnable ones of the unkeyed or an open lane.
  for (const type of new Set(scanned.map((job) => job.record.type))) {
    const rate = typeRate(q, type);
    if (rate !== null && typeStartsLeft(q, type, now) <= 0)
      ends.push(windowEnd(now, rate.windowMs));
  }
  return ends.length > 0 ? Math.min(...ends) : null;
}
