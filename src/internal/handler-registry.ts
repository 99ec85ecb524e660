/**
 * A worker's handlers per job type, and what it expects each to take: the handler's
 * `timeoutMs` if set, else the observed (smoothed) duration. Drains use these expectations to
 * start no job that cannot finish within their budget.
 */
import type { HandlerOptions, JobHandler } from "./run-job.js";

/** One job type's handler, with what was learned about it. */
export interface Registered {
  fn: JobHandler;
  options: HandlerOptions;
  /** Smoothed observed duration, used when no timeout bounds the job. */
  averageMs: number | null;
}

export class HandlerRegistry {
  readonly #handlers = new Map<string, Registered>();
  /** Job type + budget pairs already warned about (see {@link HandlerRegistry.warnUnfit}). */
  readonly #warned = new Set<string>();

  set(type: string, fn: JobHandler, options: HandlerOptions): void {
    this.#handlers.set(type, { fn, options, averageMs: null });
  }

  get(type: string): Registered | undefined {
    return this.#handlers.get(type);
  }

  /** Learns from one run of `handler` that took `ms`. */
  observe(handler: Registered, ms: number): void {
    handler.averageMs = handler.averageMs === null ? ms : handler.averageMs * 0.8 + ms * 0.2;
  }

  /** How long a job of `type` is expected to take (0 when nothing is known). */
  expectedMs(type: string): number {
    const handler = this.#handlers.get(type);
    return handler?.options.timeoutMs ?? handler?.averageMs ?? 0;
  }

  /** The longest expectation over every registered type. */
  longestExpectedMs(): number {
    let longest = 0;
    for (const type of this.#handlers.keys()) longest = Math.max(longest, this.expectedMs(type));
    return longest;
  }

  /**
   * Warns once per job type and budget when a handler's `timeoutMs` exceeds a drain's budget:
   * such jobs can never start in that drain, and would otherwise wait silently.
   */
  warnUnfit(budgetMs: number): void {
    for (const [type, handler] of this.#handlers) {
      const { timeoutMs } = handler.options;
      const key = `${type}\u0000${budgetMs}`;
      if (timeoutMs === undefined || timeoutMs <= budgetMs || this.#warned.has(key)) continue;
      this.#warned.add(key);
      console.warn(
        `jdobb-async-queue worker: jobs of type "${type}" never start in a drain with budgetMs ` +
          `${budgetMs}: the handler's timeoutMs is ${timeoutMs}. Lower timeoutMs or raise budgetMs.`,
      );
    }
  }
}
