/**
 * A bound on the store calls one SSE stream makes. On Workers every store call counts against
 * the invocation's subrequest limit (50 on the Free plan), and an open stream polls about
 * every 2 s: without a bound, a five-minute stream makes ~160 calls. With one, the stream ends
 * cleanly once its budget is spent and EventSource resumes with `Last-Event-ID` in a fresh
 * invocation, losing and repeating nothing.
 */
import { Broadcaster, type BroadcasterOptions, type JobQueue } from "../../src/index.js";

/** A broadcaster for one stream, and the signal that fires when its budget is spent. */
export interface BudgetedFollow {
  broadcaster: Broadcaster;
  /** Aborts once `maxCalls` store calls were made; pass it on to `subscribe`. */
  spent: AbortSignal;
}

/**
 * `queue` seen through a counter: every method call (each is a store call: `get`,
 * `readEvents`) counts, and the call that reaches `maxCalls` aborts `spent`. That call still
 * completes, so updates it read are delivered before the subscription stops.
 */
export function countedQueue(
  queue: JobQueue,
  maxCalls: number,
): { queue: JobQueue; spent: AbortSignal } {
  const spent = new AbortController();
  let calls = 0;
  const counted = new Proxy(queue, {
    get(target, key) {
      // The target as receiver: JobQueue's private fields are not reachable through a proxy.
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (++calls >= maxCalls) spent.abort();
        return value.apply(target, args);
      };
    },
  });
  return { queue: counted, spent: spent.signal };
}

/** A broadcaster that follows one stream's job within `maxCalls` store calls. */
export function budgetedFollow(
  queue: JobQueue,
  maxCalls: number,
  options: BroadcasterOptions,
): BudgetedFollow {
  const { queue: counted, spent } = countedQueue(queue, maxCalls);
  return { broadcaster: new Broadcaster(counted, options), spent };
}
