/** The differential suite's reads: one job, its events, pages, every job, the counts. */
import { JOB_STATES, type JobState } from "../job.js";
import type { DifferentialModel } from "./differential-model.js";
import { type Step, step } from "./differential-step.js";

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

/** Counts the queue's jobs per state. */
export function statsStep(m: DifferentialModel): Step {
  const input = m.scope();
  return step({ name: "stats", input, mutates: false, call: (b) => b.stats(input) });
}
