/**
 * One call of the differential suite (a {@link Step}) and the steps of the required core:
 * enqueue, claim, the fenced writes, cancel, redrive, reads, purge and the clock.
 */
import {
  type Backend,
  type BackendFeature,
  type ClaimInput,
  type ClaimOutcome,
  type FeatureMethods,
  hasFeature,
} from "../backend.js";
import { JOB_STATES, type JobState } from "../job.js";
import { WINDOW_SIZES } from "./differential-configs.js";
import {
  type DifferentialModel,
  EXPIRED_ERROR,
  type Held,
  RETENTION_MS,
} from "./differential-model.js";

/** One contract call, made the same way on the backend under test and on the oracle. */
export interface Step {
  name: string;
  /** What was sent (printed when the answers differ). */
  input: unknown;
  /** A mutating call, which the suite sometimes sends twice (a re-send). */
  mutates: boolean;
  /** Makes the call; the answer is what is compared. */
  call(backend: Backend): Promise<unknown>;
  /** Learns from the oracle's answer. */
  observe(answer: unknown): void;
}

/** A {@link Step} whose answer has type `T`. */
export interface StepSpec<T> {
  name: string;
  input: unknown;
  mutates: boolean;
  call(backend: Backend): Promise<T>;
  observe?(answer: T): void;
}

/** Erases a typed step's answer type, so steps of every kind fit in one list. */
export function step<T>(spec: StepSpec<T>): Step {
  const { observe } = spec;
  return { ...spec, observe: (answer) => observe?.(answer as T) };
}

/** The methods of an optional group (steps that need one are generated only where declared). */
export function group<F extends BackendFeature>(backend: Backend, feature: F): FeatureMethods[F] {
  if (!hasFeature(backend, feature)) throw new Error(`${backend.name} lacks "${feature}"`);
  return backend;
}

/** A claim outcome with its ids first, so a difference in order reads at a glance. */
export function comparableClaim(outcome: ClaimOutcome) {
  return { ids: outcome.jobs.map((job) => job.id), ...outcome };
}

/** A fresh claim's fields (a grouped member's `next` as well). */
export function claimFields(m: DifferentialModel): Omit<ClaimInput, "queue" | "now"> {
  return {
    limit: m.random.int(1, 5),
    token: m.token(),
    leaseUntil: m.now + m.random.pick([5_000, 30_000, 60_000]),
    expiredError: EXPIRED_ERROR,
    failedExpiresAt: m.now + RETENTION_MS,
  };
}

/** 1-5 new jobs (now and then an earlier one again). */
export function enqueueStep(m: DifferentialModel): Step {
  const input = {
    ...m.scope(),
    jobs: Array.from({ length: m.random.int(1, 5) }, () => m.newJob()),
  };
  return step({
    name: "enqueue",
    input,
    mutates: true,
    call: (b) => b.enqueue(input),
    observe: (outcomes) => m.seeJobs(outcomes.map((o) => o.id)),
  });
}

/** A claim of 1-5 jobs with a fresh token; its refills are queued for the refill step. */
export function claimStep(m: DifferentialModel): Step {
  const input = { ...m.scope(), ...claimFields(m) };
  return step({
    name: "claim",
    input,
    mutates: true,
    call: async (b) => comparableClaim(await b.claim(input)),
    observe: (outcome) => {
      m.seeClaim(outcome.jobs, input.token, input.leaseUntil);
      m.refills = outcome.refill;
    },
  });
}

/** A fenced write on a held job (`final`: one that ends the hold when it applies). */
function fencedStep<I>(
  m: DifferentialModel,
  name: string,
  final: boolean,
  held: Held | undefined,
  input: (held: Held) => I,
  call: (b: Backend, input: I) => Promise<boolean>,
): Step | null {
  if (!held) return null;
  const sent = input(held);
  return step({
    name,
    input: sent,
    mutates: true,
    call: (b) => call(b, sent),
    observe: (applied) => m.settle(held, applied, final),
  });
}

/** Completes a held job (now and then with a stale token). */
export function completeStep(m: DifferentialModel): Step | null {
  const result = `"r${m.serial()}"`;
  const expiresAt = m.now + RETENTION_MS;
  return fencedStep(
    m,
    "complete",
    true,
    m.heldJob(),
    ({ id, token }) => ({ ...m.scope(), id, token, result, expiresAt }),
    (b, input) => b.complete(input),
  );
}

/** A dead-letter (`retryAt: null`) or a retry a little later. */
export function failStep(m: DifferentialModel): Step | null {
  const retryAt = m.random.chance(0.5) ? null : m.now + m.random.int(0, 5_000);
  const error = JSON.stringify({ code: "E", message: `m${m.serial()}` });
  const expiresAt = m.now + RETENTION_MS;
  return fencedStep(
    m,
    "fail",
    true,
    m.heldJob(),
    ({ id, token }) => ({ ...m.scope(), id, token, error, retryAt, expiresAt }),
    (b, input) => b.fail(input),
  );
}

/** Gives a held job back (now and then with a stale token). */
export function releaseStep(m: DifferentialModel): Step | null {
  return fencedStep(
    m,
    "release",
    true,
    m.heldJob(),
    ({ id, token }) => ({ ...m.scope(), id, token }),
    (b, input) => b.release(input),
  );
}

/** A heartbeat, or a patch of progress, message and data (each set, nulled or left out). */
export function updateStep(m: DifferentialModel): Step | null {
  const r = m.random;
  const patch: { progress?: number; message?: string | null; data?: string | null } = {};
  if (r.chance(0.8)) {
    if (r.chance(0.7)) patch.progress = r.int(0, 8) / 8;
    if (r.chance(0.5)) patch.message = r.chance(0.8) ? `m${m.serial()}` : null;
    if (r.chance(0.3)) patch.data = r.chance(0.8) ? JSON.stringify({ d: m.serial() }) : null;
  }
  const leaseUntil = m.now + r.pick([5_000, 30_000]);
  const held = m.heldJob();
  if (!held) return null;
  const input = { ...m.scope(), id: held.id, token: held.token, leaseUntil, ...patch };
  return step({
    name: "update",
    input,
    mutates: true,
    call: (b) => b.update(input),
    observe: (applied) => {
      m.settle(held, applied, false);
      const still = m.held.get(held.id);
      if (applied && still?.token === held.token) still.leaseUntil = leaseUntil;
    },
  });
}

/** Cancels a known job (or one that never existed). */
export function cancelStep(m: DifferentialModel): Step {
  const callId = `x-${m.random.hex()}`;
  const input = { ...m.scope(), id: m.jobId(), callId, expiresAt: m.now + RETENTION_MS };
  return step({ name: "cancel", input, mutates: true, call: (b) => b.cancel(input) });
}

/** Redrives a known job (or one that never existed). */
export function retryStep(m: DifferentialModel): Step {
  const input = { ...m.scope(), id: m.jobId(), callId: `x-${m.random.hex()}` };
  return step({ name: "retry", input, mutates: true, call: (b) => b.retry(input) });
}

/** Reads one job. */
export function getStep(m: DifferentialModel): Step {
  const input = { ...m.scope(), id: m.jobId() };
  return step({ name: "get", input, mutates: false, call: (b) => b.get(input) });
}

/** Reads a page of one job's events. */
export function readEventsStep(m: DifferentialModel): Step {
  const r = m.random;
  const input = { ...m.scope(), id: m.jobId(), after: r.int(0, 4), limit: r.int(1, 10) };
  return step({ name: "readEvents", input, mutates: false, call: (b) => b.readEvents(input) });
}

/** Up to three pages; each backend follows its own (opaque) cursors. */
export function listStep(m: DifferentialModel): Step {
  const state = m.random.pick<JobState | undefined>([undefined, ...JOB_STATES]);
  const input = { ...m.scope(), limit: m.random.int(1, 6), ...(state ? { state } : {}) };
  return step({
    name: "list",
    input,
    mutates: false,
    call: async (b) => {
      const pages = [];
      let cursor: string | null = null;
      do {
        const page = await b.list({ ...input, cursor });
        const ids = page.jobs.map((job) => job.id);
        pages.push({ ids, jobs: page.jobs, more: page.cursor !== null });
        cursor = page.cursor;
      } while (cursor !== null && pages.length < 3);
      return pages;
    },
  });
}

/** Counts the queue's jobs per state. */
/**
 * Every job of the queue (all pages) and its counts: a state that has drifted apart shows
 * here, close to the call that caused it, even before an answer depends on it.
 */
export function snapshotStep(m: DifferentialModel): Step {
  const input = m.scope();
  return step({
    name: "snapshot",
    input,
    mutates: false,
    call: async (b) => {
      const jobs = [];
      let cursor: string | null = null;
      do {
        const page = await b.list({ ...input, limit: 100, cursor });
        jobs.push(...page.jobs);
        cursor = page.cursor;
      } while (cursor !== null);
      return { jobs, stats: await b.stats(input) };
    },
  });
}

export function statsStep(m: DifferentialModel): Step {
  const input = m.scope();
  return step({ name: "stats", input, mutates: false, call: (b) => b.stats(input) });
}

/** Finished jobs of some states, or everything. */
export function purgeStep(m: DifferentialModel): Step {
  const choices: Array<JobState[] | undefined> = [
    ["completed"],
    ["failed", "cancelled"],
    undefined,
  ];
  const states = m.random.pick(choices);
  const input = { ...m.scope(), ...(states ? { states } : {}) };
  return step({ name: "purge", input, mutates: true, call: (b) => b.purge(input) });
}

/** Moves the clock: a little, past leases, to a window's edge, or to a schedule's next tick. */
export function clockStep(m: DifferentialModel): Step {
  const r = m.random;
  const periods = [...m.periods.values()];
  const kind = r.weighted<"ms" | "s" | "lease" | "window" | "tick">([
    [4, "ms"],
    [3, "s"],
    [1.5, "lease"],
    [1.5, "window"],
    [periods.length > 0 ? 1.5 : 0, "tick"],
  ]);
  const nextMultiple = (size: number) => Math.floor(m.now / size) * size + size;
  let to = m.now;
  if (kind === "ms") to += r.int(1, 1_000);
  if (kind === "s") to += r.int(1_000, 10_000);
  if (kind === "lease") to += r.int(30_000, 90_000);
  if (kind === "window") to = nextMultiple(r.pick(WINDOW_SIZES)) + r.int(0, 2);
  if (kind === "tick") to = nextMultiple(r.pick(periods)) + r.int(0, 1);
  const input = { from: m.now, to };
  m.now = to;
  return step({ name: "clock", input, mutates: false, call: async () => null });
}
