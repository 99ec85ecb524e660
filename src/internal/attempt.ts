/**
 * One attempt at a job while its handler runs: whichever comes first, the handler's end or an
 * abort (timeout, lost lease, cancellation, shutdown), decides how it ended. A handler that
 * ignores its signal is abandoned at once. `ctx.signal` costs nothing until it is read, and a
 * handler that returns synchronously is settled without a promise.
 */
import type { Job } from "../job.js";
import type { Running } from "./running-jobs.js";

/** How a handler run ended: its value or error, or the abort that came first. */
export type HandlerEnd =
  | { kind: "returned"; value: unknown }
  | { kind: "threw"; error: unknown }
  | { kind: "aborted"; reason: unknown };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

export class Attempt implements Running {
  heartbeatAt = 0;
  #aborted = false;
  #reason: unknown;
  /** Set once the handler's end is decided: later aborts change nothing. */
  #over = false;
  /** Made when the handler reads `ctx.signal`; an abort before that needs none. */
  #controller: AbortController | null = null;
  /** Ends the wait for an asynchronous handler. */
  #wake: ((end: HandlerEnd) => void) | null = null;

  constructor(readonly job: Job) {}

  /** `ctx.signal`: already aborted (with the reason) when read after an abort. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted || this.#over) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#wake?.(this.#end({ kind: "aborted", reason }));
  }

  /**
   * Calls `handler` (unless the attempt was aborted already) and says how it ended. An abort
   * seen before the end is decided wins, even over a value the handler returned.
   */
  run(handler: () => unknown): HandlerEnd | Promise<HandlerEnd> {
    if (this.#aborted) return this.#end({ kind: "aborted", reason: this.#reason });
    let value: unknown;
    try {
      value = handler();
    } catch (error) {
      return this.#end({ kind: "threw", error });
    }
    if (!isThenable(value)) return this.#end({ kind: "returned", value });
    if (this.#aborted) return this.#end({ kind: "aborted", reason: this.#reason });
    return new Promise<HandlerEnd>((resolve) => {
      this.#wake = resolve;
      Promise.resolve(value).then(
        (result) => resolve(this.#end({ kind: "returned", value: result })),
        (error: unknown) => resolve(this.#end({ kind: "threw", error })),
      );
    });
  }

  #end(end: HandlerEnd): HandlerEnd {
    if (this.#over) return end; // the promise was resolved already: this one is ignored
    this.#over = true;
    this.#wake = null;
    return this.#aborted ? { kind: "aborted", reason: this.#reason } : end;
  }
}
