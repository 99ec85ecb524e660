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

/** A typed {@link Step}. */
export function step<T>(
  name: string,
  input: unknown,
  mutates: boolean,
  call: (backend: Backend) => Promise<T>,
  observe: (answer: T) => void = () => {},
): Step {
  return { name, input, mutates, call, observe: (answer) => observe(answer as T) };
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

/** A fresh claim's input (without queue and now for grouped members). */
export function claimFields(m: DifferentialModel): Omit<ClaimInput, "queue" | "now"> {
  const leaseMs = m.random.pick([5_000, 30_000, 60_000]);
  return {
    limit: m.random.int(1, 5),
    token: m.token(),
    leaseUntil: m.now + leaseMs,
    expiredError: EXPIRED_ERROR,
    failedExpiresAt: m.now + RETENTION_MS,
  };
}

export function enqueueStep(m: DifferentialModel): Step {
  const jobs = Array.from({ length: m.random.int(1, 5) }, () => m.newJob());
  const input = { ...m.scope(), jobs };
  return step(
    "enqueue",
    input,
    true,
    (b) => b.enqueue(input),
    (out) => m.seeJobs(out.map((o) => o.id)),
  );
}

export function claimStep(m: DifferentialModel): Step {
  const input = { ...m.scope(), ...claimFields(m) };
  return step(
    "claim",
    input,
    true,
    async (b) => comparableClaim(await b.claim(input)),
    (out) => {
      m.seeClaim(out.jobs, input.token, input.leaseUntil);
      m.refills = out.refill;
    },
  );
}

/** A fenced write on a held job; `final` writes end the hold when they apply. */
function fenced<I>(
  m: DifferentialModel,
  name: string,
  final: boolean,
  build: (held: Held) => I,
  call: (b: Backend, input: I) => Promise<boolean>,
): Step | null {
  const held = m.heldJob();
  if (!held) return null;
  const input = build(held);
  return step(
    name,
    input,
    true,
    (b) => call(b, input),
    (applied) => m.settle(held, applied, final),
  );
}

export function completeStep(m: DifferentialModel): Step | null {
  return fenced(
    m,
    "complete",
    true,
    ({ id, token }) => ({
      ...m.scope(),
      id,
      token,
      result: `"r${m.serial()}"`,
      expiresAt: m.now + RETENTION_MS,
    }),
    (b, input) => b.complete(input),
  );
}

export function failStep(m: DifferentialModel): Step | null {
  const retryAt = m.random.chance(0.5) ? null : m.now + m.random.int(0, 5_000);
  const error = JSON.stringify({ code: "E", message: `m${m.serial()}` });
  return fenced(
    m,
    "fail",
    true,
    ({ id, token }) => ({
      ...m.scope(),
      id,
      token,
      error,
      retryAt,
      expiresAt: m.now + RETENTION_MS,
    }),
    (b, input) => b.fail(input),
  );
}

export function releaseStep(m: DifferentialModel): Step | null {
  return fenced(
    m,
    "release",
    true,
    ({ id, token }) => ({ ...m.scope(), id, token }),
    (b, input) => b.release(input),
  );
}

export function updateStep(m: DifferentialModel): Step | null {
  const r = m.random;
  const patch = r.chance(0.2)
    ? {}
    : {
        ...(r.chance(0.7) ? { progress: r.int(0, 8) / 8 } : {}),
        ...(r.chance(0.5) ? { message: r.chance(0.8) ? `m${m.serial()}` : null } : {}),
        ...(r.chance(0.3)
          ? { data: r.chance(0.8) ? JSON.stringify({ d: m.serial() }) : null }
          : {}),
      };
  const leaseUntil = m.now + r.pick([5_000, 30_000]);
  const held = m.heldJob();
  if (!held) return null;
  const input = { ...m.scope(), id: held.id, token: held.token, leaseUntil, ...patch };
  return step(
    "update",
    input,
    true,
    (b) => b.update(input),
    (applied) => {
      m.settle(held, applied, false);
      const still = m.held.get(held.id);
      if (applied && still?.token === held.token) still.leaseUntil = leaseUntil;
    },
  );
}

export function cancelStep(m: DifferentialModel): Step {
  const input = {
    ...m.scope(),
    id: m.jobId(),
    callId: `x-${m.random.hex()}`,
    expiresAt: m.now + RETENTION_MS,
  };
  return step("cancel", input, true, (b) => b.cancel(input));
}

export function retryStep(m: DifferentialModel): Step {
  const input = { ...m.scope(), id: m.jobId(), callId: `x-${m.random.hex()}` };
  return step("retry", input, true, (b) => b.retry(input));
}

export function getStep(m: DifferentialModel): Step {
  const input = { ...m.scope(), id: m.jobId() };
  return step("get", input, false, (b) => b.get(input));
}

export function readEventsStep(m: DifferentialModel): Step {
  const input = {
    ...m.scope(),
    id: m.jobId(),
    after: m.random.int(0, 4),
    limit: m.random.int(1, 10),
  };
  return step("readEvents", input, false, (b) => b.readEvents(input));
}

/** Up to three pages; each backend follows its own (opaque) cursors. */
export function listStep(m: DifferentialModel): Step {
  const state = m.random.pick<JobState | undefined>([undefined, ...JOB_STATES]);
  const input = { ...m.scope(), limit: m.random.int(1, 6), ...(state ? { state } : {}) };
  return step("list", input, false, async (b) => {
    const pages = [];
    let cursor: string | null = null;
    do {
      const page = await b.list({ ...input, cursor });
      pages.push({
        ids: page.jobs.map((job) => job.id),
        jobs: page.jobs,
        more: page.cursor !== null,
      });
      cursor = page.cursor;
    } while (cursor !== null && pages.length < 3);
    return pages;
  });
}

export function statsStep(m: DifferentialModel): Step {
  const input = m.scope();
  return step("stats", input, false, (b) => b.stats(input));
}

export function purgeStep(m: DifferentialModel): Step {
  const states = m.random.pick<JobState[] | undefined>([
    ["completed"],
    ["failed", "cancelled"],
    undefined,
  ]);
  const input = { ...m.scope(), ...(states ? { states } : {}) };
  return step("purge", input, true, (b) => b.purge(input));
}

/** Moves the clock: a little, past leases, to a window's edge, or to a schedule's tick. */
export function clockStep(m: DifferentialModel): Step {
  const r = m.random;
  const kind = r.weighted<"ms" | "s" | "lease" | "window">([
    [4, "ms"],
    [3, "s"],
    [1.5, "lease"],
    [1.5, "window"],
  ]);
  let by = 0;
  if (kind === "ms") by = r.int(1, 1_000);
  if (kind === "s") by = r.int(1_000, 10_000);
  if (kind === "lease") by = r.int(30_000, 90_000);
  if (kind === "window") {
    const size = r.pick(WINDOW_SIZES);
    by = Math.floor(m.now / size) * size + size + r.int(0, 2) - m.now;
  }
  const input = { advanceBy: by, from: m.now };
  m.now += by;
  return step("clock", input, false, async () => null);
}
