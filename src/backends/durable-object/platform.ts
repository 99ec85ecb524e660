/**
 * The parts of the Durable Object runtime API this entry uses, typed structurally so neither
 * the package nor its users need `@cloudflare/workers-types` (a user's own types fit).
 */

/** A cursor over a statement's rows (`ctx.storage.sql.exec`). */
export interface SqlCursorLike {
  toArray(): Record<string, unknown>[];
}

/** A SQLite-backed Durable Object's storage. */
export interface DurableObjectStorageLike {
  sql: { exec(query: string, ...bindings: unknown[]): SqlCursorLike };
  /** Runs `fn` as one transaction: it commits when `fn` returns, rolls back when it throws. */
  transactionSync<T>(fn: () => T): T;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

/** `ctx` of a Durable Object. */
export interface DurableObjectStateLike {
  storage: DurableObjectStorageLike;
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}

/** What the Worker side calls on a queue's object: the RPC methods of `QueueObject`. */
export interface QueueObjectStub {
  /** One contract call: a request envelope in, a reply envelope out (JSON text both ways). */
  call(request: string): Promise<string>;
  /** Notices for one job: a line per event appended, until it ends or the stream's life does. */
  watch(request: string): Promise<ReadableStream<Uint8Array>>;
}

/** A Durable Object namespace binding (`env.QUEUES`) whose class is `QueueObject`. */
export interface QueueObjectNamespace {
  idFromName(name: string): unknown;
  get(id: never): unknown;
}

/**
 * The service binding an object's alarm starts drains through (`QUEUE_DRAIN`, to the Worker
 * itself, entrypoint `QueueDrain`: see `queueDrain`).
 */
export interface DrainBinding {
  drain(): Promise<void>;
}

/** The parts of a Worker's `ExecutionContext` a drain uses (as the Cloudflare adapter's). */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** A cron trigger's event, as the Cloudflare adapter's `scheduled` reads it. */
export interface WorkerScheduledEvent {
  cron: string;
  scheduledTime: number;
}
