/**
 * Runs one claimed job through its handler: heartbeats (by the pool's {@link RunningJobs})
 * while it runs, abort on timeout, lost lease, cancellation or shutdown, then write the
 * outcome (fenced) to the queue.
 */
import {
  InvalidPayloadError,
  JobTimeoutError,
  LeaseLostError,
  NoHandlerError,
  ValidationError,
} from "../errors.js";
import type { Job } from "../job.js";
import type { ProgressUpdate } from "../queue-options.js";
import { Attempt, type HandlerEnd } from "./attempt.js";
import type { AnyJobQueue } from "./queue-internals.js";
import { internalsOf } from "./queue-internals.js";
import { type RunningJobs, ShutdownAbort } from "./running-jobs.js";

/** What a handler receives. */
export interface JobContext<Payload = unknown> {
  /** The claimed job (state `active`). */
  job: Job<Payload>;
  payload: Payload;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /**
   * Aborts when the job times out, its lease is lost, it is cancelled from anywhere, or the
   * worker shuts down. Pass it to `fetch` and check it in loops.
   */
  signal: AbortSignal;
  /** Reports progress (coalesced) and extends the lease; resolves to "still ours?". */
  update(update: ProgressUpdate): Promise<boolean>;
}

/** A job handler: its return value (JSON) becomes the job's result. */
export type JobHandler<Payload = unknown, Result = unknown> = (
  ctx: JobContext<Payload>,
) => Promise<Result> | Result;

/** Per-type handler settings. */
export interface HandlerOptions {
  /** Abort the attempt after this long and record a `TIMEOUT` failure. */
  timeoutMs?: number;
}

/** How one job ended, from the worker's point of view. */
export type RunOutcome = "completed" | "retried" | "failed" | "lost" | "released";

/** A run's outcome, and the jobs claimed along with the completion (see `nextLimit`). */
export interface RunResult {
  outcome: RunOutcome;
  next: Job[];
  /** How many jobs the completion asked for (fewer came back: the queue ran dry). */
  asked: number;
}

export interface RunJobInput {
  queue: AnyJobQueue;
  job: Job;
  handler: { fn: JobHandler; options: HandlerOptions } | undefined;
  leaseMs: number;
  /** The pool's running jobs: heartbeats the job while its handler runs, and shuts it down. */
  running: RunningJobs;
  /** On success, how many jobs to claim in the same round trip as the completion (0: none). */
  nextLimit?: () => number;
}

/** A final write that threw (the store unreachable): which one, and why. */
export class FinalWriteError extends Error {
  override name = "FinalWriteError";
  constructor(
    readonly operation: "complete" | "fail" | "release",
    override readonly cause: unknown,
  ) {
    super(`${operation} failed`);
  }
}

const alone = (outcome: RunOutcome): RunResult => ({ outcome, next: [], asked: 0 });

/** Runs the job to an outcome; only store errors on the final write escape, as FinalWriteError. */
export async function runJob(input: RunJobInput): Promise<RunResult> {
  const { queue, job } = input;
  const ending = settle(input);
  const settled = ending instanceof Promise ? await ending : ending;
  if (settled.kind === "lost") return alone("lost");
  const asked = settled.kind === "completed" ? (input.nextLimit?.() ?? 0) : 0;
  let operation: FinalWriteError["operation"] = "fail";
  try {
    switch (settled.kind) {
      case "invalid":
        // A stored payload that no longer parses will not parse on a retry either.
        return alone((await queue.fail(job, settled.error, { retry: false })) ? "failed" : "lost");
      case "failed":
        return alone(await fail(queue, job, settled.error));
      case "released":
        operation = "release";
        return alone((await queue.release(job)) ? "released" : "lost");
    }
    operation = "complete";
    try {
      if (asked === 0)
        return alone((await queue.complete(job, settled.value)) ? "completed" : "lost");
      const { completed, next } = await internalsOf(queue).completeAndClaim(job, settled.value, {
        limit: asked,
        leaseMs: input.leaseMs,
      });
      return { outcome: completed ? "completed" : "lost", next, asked };
    } catch (error) {
      // A result the store cannot take (not JSON, too large, too deep) fails the attempt; it
      // must not leave the job active until its lease runs out.
      if (!(error instanceof ValidationError)) throw error;
      operation = "fail";
      return alone(await fail(queue, job, error));
    }
  } catch (error) {
    throw new FinalWriteError(operation, error);
  }
}

/** Records a failed attempt: retried while attempts are left. */
async function fail(queue: AnyJobQueue, job: Job, error: unknown): Promise<RunOutcome> {
  const retried = job.attempts < job.maxAttempts ? "retried" : "failed";
  return (await queue.fail(job, error)) ? retried : "lost";
}

type Settled =
  | { kind: "completed"; value: unknown }
  | { kind: "failed"; error: unknown }
  | { kind: "released" }
  | { kind: "lost" }
  | { kind: "invalid"; error: InvalidPayloadError };

/** Parses the payload and runs the handler; says how it ended (writes nothing). */
function settle(input: RunJobInput): Settled | Promise<Settled> {
  const { queue, job, handler } = input;
  if (!handler) return { kind: "failed", error: new NoHandlerError(job.type) };
  const { schemas } = internalsOf(queue);
  const attempt = new Attempt(job);
  input.running.add(attempt); // heartbeated from here on, an async parse included
  if (!schemas.parses(job.type)) return runHandler(input, handler, job.payload, attempt);
  return schemas.parseStored(job.type, job.payload).then(
    (payload) => runHandler(input, handler, payload, attempt),
    (error: unknown): Settled => {
      input.running.remove(attempt);
      if (error instanceof InvalidPayloadError) return { kind: "invalid", error };
      throw error;
    },
  );
}

/** Runs the handler, heartbeated, until it ends or is aborted. */
function runHandler(
  input: RunJobInput,
  handler: NonNullable<RunJobInput["handler"]>,
  payload: unknown,
  attempt: Attempt,
): Settled | Promise<Settled> {
  const { queue, job, running } = input;
  const ctx: JobContext = {
    job,
    payload,
    attempt: job.attempts,
    get signal() {
      return attempt.signal;
    },
    update: async (update) => {
      const ours = await queue.update(job, update);
      if (!ours) attempt.abort(new LeaseLostError(job.id));
      return ours;
    },
  };
  const { timeoutMs } = handler.options;
  let timer: AbortController | null = null;
  if (timeoutMs !== undefined) {
    const own = new AbortController();
    timer = own;
    void queue.clock.sleep(timeoutMs, own.signal).then(() => {
      if (!own.signal.aborted)
        attempt.abort(new JobTimeoutError(`timed out after ${timeoutMs} ms`));
    });
  }
  const finish = (end: HandlerEnd): Settled => {
    running.remove(attempt);
    timer?.abort();
    if (end.kind === "returned") return { kind: "completed", value: end.value };
    if (end.kind === "threw") return { kind: "failed", error: end.error };
    if (end.reason instanceof LeaseLostError) {
      internalsOf(queue).forget(job);
      return { kind: "lost" };
    }
    if (end.reason instanceof ShutdownAbort) return { kind: "released" };
    return { kind: "failed", error: end.reason };
  };
  const end = attempt.run(() => handler.fn(ctx));
  return end instanceof Promise ? end.then(finish) : finish(end);
}
