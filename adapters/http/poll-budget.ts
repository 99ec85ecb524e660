/**
 * A bound on the store calls one SSE stream makes. On Workers every store call counts against
 * the invocation's subrequest limit (50 on the Free plan), and an open stream polls about
 * every 2 s: without a bound, a five-minute stream makes ~160 calls. With one, the stream ends
 * cleanly once its budget is spent and EventSource resumes with `Last-Event-ID` in a fresh
 * invocation, losing and repeating nothing.
 */
import { Broadcaster, type BroadcasterOptions, type JobQueue } from "../../src/index.js";

/**
 * `queue` seen through a counter: every method call (each is a store call: `get`,
 * `readEvents`) counts, and the call that reaches `maxCalls` aborts `spent`. That call still
 * completes, so updates it read are delivered before the subscription stops.
 */
function countedQueue(queue: JobQueue, maxCalls: number): { queue: JobQueue; spent: AbortSignal } {
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

/** What one stream follows its job with, and the signal that ends it. */
export type StreamFollower = (signal: AbortSignal) => {
  broadcaster: Broadcaster;
  signal: AbortSignal;
};

/**
 * The follower of each SSE stream. Without a budget, streams share `shared`; with one, each
 * gets a broadcaster of its own over a counted view of the queue, and a signal that also
 * fires when the budget is spent. Invalid budgets throw here, at startup.
 */
export function streamFollower(
  shared: Broadcaster,
  queue: JobQueue,
  options: BroadcasterOptions & { maxStorePolls?: number },
): StreamFollower {
  const max = options.maxStorePolls;
  if (max === undefined || max === Number.POSITIVE_INFINITY) {
    return (signal) => ({ broadcaster: shared, signal });
  }
  if (!Number.isInteger(max) || max < 1) {
    throw new Error("sse.maxStorePolls must be a positive integer");
  }
  return (signal) => {
    const counted = countedQueue(queue, max);
    return {
      broadcaster: new Broadcaster(counted.queue, { pollMs: options.pollMs }),
      signal: AbortSignal.any([signal, counted.spent]),
    };
  };
}
