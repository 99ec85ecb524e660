/**
 * What the bench Worker (worker.ts) answers on each route, as JSON: shared by the Worker and
 * the Node side of the section (bench/cloudflare-stores.ts). Times are the Worker's own clock,
 * which inside workerd advances only across I/O (ms resolution).
 */

/** `GET /throughput?store=…&jobs=…&batch=…`: enqueue in batches, then drain. */
export interface ThroughputRun {
  jobs: number;
  /** Enqueueing every job, in `enqueueMany` batches. */
  enqueueMs: number;
  /** From the drain's start to its last completion. */
  drainMs: number;
  /** jobs ÷ drainMs. */
  jobsPerSecond: number;
  /** Contract calls (enqueue and drain) ÷ jobs. */
  storeCallsPerJob: number;
  /** Contract calls by method, enqueue and drain together. */
  callsByMethod: Record<string, number>;
}

/** `GET /latency?store=…&updates=…&gapMs=…`: one job's updates followed by another queue object. */
export interface LatencyRun {
  updates: number;
  gapMs: number;
  /** Per update received: arrival at the reader − just before `ctx.update()`, ms. */
  latenciesMs: number[];
  /** Contract calls of the reader's queue object while it followed the job, by method. */
  readerCalls: Record<string, number>;
  /** Updates the reader received (snapshot and every event). */
  delivered: number;
}

/**
 * `GET /ceiling?store=…&parallel=…&queues=…&ms=…`: `parallel` loops of `stats()`, loop i on
 * queue i mod `queues` (one queue: one Durable Object).
 */
export interface CeilingRun {
  parallel: number;
  queues: number;
  ops: number;
  elapsedMs: number;
  opsPerSecond: number;
}
