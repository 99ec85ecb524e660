/**
 * Runs one claimed job through its handler: heartbeat while it runs, abort on timeout, lost
 * lease or cancellation, then write the outcome (fenced) to the queue.
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
import type { ErrorHandler } from "./error-log.js";
import type { AnyJobQueue } from "./queue-internals.js";
import { internalsOf } from "./queue-internals.js";

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
  heartbeatMs: number;
  leaseMs: number;
  /** Aborts when the worker is told to stop and give jobs back. */
  shutdown: AbortSignal;
  /** On success, how many jobs to claim in the same round trip as the completion (0: none). */
  nextLimit?: () => number;
  /** Receives heartbeat failures (the job goes on: a blip is not a lost lease). */
  onError: ErrorHandler;
}

class ShutdownAbort extends Error {
  override name = "ShutdownAbort";
}

/** Abort reason for a job's own timers once it has settled (cheaper than a DOMException). */
const FINISHED = Symbol("finished");

/** Resolves when the signal aborts (never rejects). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
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

/** Runs `write`, naming it in the error if it throws. */
async function finalWrite<T>(operation: FinalWriteError["operation"], write: () => Promise<T>) {
  try {
    return await write();
  } catch (error) {
    throw new FinalWriteError(operation, error);
  }
}

/** Runs the job to an outcome; only store errors on the final write escape, as FinalWriteError. */
export async function runJob(input: RunJobInput): Promise<RunResult> {
  const alone = (outcome: RunOutcome): RunResult => ({ outcome, next: [], asked: 0 });
  const { queue, job } = input;
  const fail = async (error: unknown) => {
    const retried = job.attempts < job.maxAttempts ? "retried" : "failed";
    return alone((await finalWrite("fail", () => queue.fail(job, error))) ? retried : "lost");
  };
  const settled = await settle(input);
  if (settled.kind === "invalid") {
    // A stored payload that no longer parses will not parse on a retry either.
    const written = await finalWrite("fail", () =>
      queue.fail(job, settled.error, { retry: false }),
    );
    return alone(written ? "failed" : "lost");
  }
  if (settled.kind === "lost") return alone("lost");
  if (settled.kind === "released") {
    return alone((await finalWrite("release", () => queue.release(job))) ? "released" : "lost");
  }
  if (settled.kind === "failed") return fail(settled.error);
  const asked = input.nextLimit?.() ?? 0;
  try {
    if (asked === 0) {
      const completed = await finalWrite("complete", () => queue.complete(job, settled.value));
      return alone(completed ? "completed" : "lost");
    }
    const { completed, next } = await finalWrite("complete", () =>
      internalsOf(queue).completeAndClaim(job, settled.value, {
        limit: asked,
        leaseMs: input.leaseMs,
      }),
    );
    return { outcome: completed ? "completed" : "lost", next, asked };
  } catch (error) {
    // A result the store cannot take (not JSON, too large, too deep) fails the attempt; it
    // must not leave the job active until its lease runs out.
    if (error instanceof FinalWriteError && error.cause instanceof ValidationError) {
      return fail(error.cause);
    }
    throw error;
  }
}

type Settled =
  | { kind: "completed"; value: unknown }
  | { kind: "failed"; error: unknown }
  | { kind: "released" }
  | { kind: "lost" }
  | { kind: "invalid"; error: InvalidPayloadError };

/** Runs the handler under heartbeats and timeouts, and says how it ended (writes nothing). */
async function settle(input: RunJobInput): Promise<Settled> {
  const { queue, job, handler } = input;
  if (!handler) return { kind: "failed", error: new NoHandlerError(job.type) };
  let payload: unknown;
  try {
    payload = await internalsOf(queue).schemas.parseStored(job.type, job.payload);
  } catch (error) {
    if (error instanceof InvalidPayloadError) return { kind: "invalid", error };
    throw error;
  }
  const abort = new AbortController();
  const done = new AbortController();
  const lose = () => abort.abort(new LeaseLostError(job.id));
  const onShutdown = () => abort.abort(new ShutdownAbort("worker is shutting down"));
  input.shutdown.addEventListener("abort", onShutdown, { once: true });
  if (input.shutdown.aborted) onShutdown();

  void (async () => {
    while (!done.signal.aborted) {
      await queue.clock.sleep(input.heartbeatMs, done.signal);
      if (done.signal.aborted) return;
      const ours = await queue.heartbeat(job).catch((error: unknown) => {
        input.onError(error, { operation: "heartbeat", jobId: job.id });
        return true; // a blip is not a lost lease
      });
      if (!ours) lose();
    }
  })();
  const { timeoutMs } = handler.options;
  if (timeoutMs !== undefined) {
    void queue.clock.sleep(timeoutMs, done.signal).then(() => {
      if (!done.signal.aborted) abort.abort(new JobTimeoutError(`timed out after ${timeoutMs} ms`));
    });
  }

  const ctx: JobContext = {
    job,
    payload,
    attempt: job.attempts,
    signal: abort.signal,
    update: async (update) => {
      const ours = await queue.update(job, update);
      if (!ours) lose();
      return ours;
    },
  };
  try {
    const settled = await Promise.race([
      Promise.resolve()
        .then(() => handler.fn(ctx))
        .then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      aborted(abort.signal).then(() => null),
    ]);
    const reason: unknown = abort.signal.reason;
    if (settled === null || abort.signal.aborted) {
      if (reason instanceof LeaseLostError) {
        internalsOf(queue).forget(job);
        return { kind: "lost" };
      }
      if (reason instanceof ShutdownAbort) return { kind: "released" };
      return { kind: "failed", error: reason };
    }
    return settled.ok
      ? { kind: "completed", value: settled.value }
      : { kind: "failed", error: settled.error };
  } finally {
    done.abort(FINISHED);
    input.shutdown.removeEventListener("abort", onShutdown);
  }
}
