/**
 * What a worker does with errors it survives (the store briefly unreachable, a final write
 * that failed): by default one `console.error` line per distinct code and operation per
 * interval, so a worker whose store is down says so without flooding its logs. A line names
 * the code, the operation and the job id — never payloads, results, tokens or client errors.
 */
import { QueueError } from "../errors.js";
import type { Clock } from "./clock.js";

/** Where an error happened. */
export interface ErrorContext {
  /** The store operation or step: `claim`, `complete`, `heartbeat`, `fail`, `release` … */
  operation: string;
  /** The job concerned, if one was. */
  jobId?: string;
}

/** Receives the errors a worker survives. */
export type ErrorHandler = (error: unknown, context: ErrorContext) => void;

/** The error's `code` when it is one of ours, else `INTERNAL`. */
export function errorCode(error: unknown): string {
  return error instanceof QueueError ? error.code : "INTERNAL";
}

/**
 * The default {@link ErrorHandler}: a line per distinct code and operation at most every
 * `intervalMs` (read from `clock`), counting the repeats it held back.
 */
export function rateLimitedConsole(
  clock: Clock,
  intervalMs = 60_000,
  write: (line: string) => void = (line) => console.error(line),
): ErrorHandler {
  const last = new Map<string, { at: number; held: number }>();
  return (error, { operation, jobId }) => {
    const code = errorCode(error);
    const key = `${code} ${operation}`;
    const seen = last.get(key);
    const now = clock.now();
    if (seen && now - seen.at < intervalMs) {
      seen.held += 1;
      return;
    }
    last.set(key, { at: now, held: 0 });
    // Our own messages name the backend and the kind of failure, never request data; of
    // anything else only the class is shown.
    const detail =
      error instanceof QueueError
        ? `: ${error.message}`
        : error instanceof Error
          ? `: ${error.name}`
          : "";
    const job = jobId ? ` (job ${jobId})` : "";
    const repeats = seen?.held ? ` [${seen.held} more since the last report]` : "";
    write(`jdobb-async-queue: ${code} in ${operation}${job}${detail}${repeats}`);
  };
}
