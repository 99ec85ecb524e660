/**
 * `jdobb-async-queue/client`: a typed client of the HTTP API over `fetch` alone (browsers,
 * Workers, Vercel Edge, Node 20+), with a resumable event stream.
 */
import type { JobState } from "../job.js";
import type { Schedule, ScheduleOptions } from "../schedules.js";
import { type EventsOptions, followEvents } from "./events.js";
import { type ClientOptions, jobPath, jsonBody, sender } from "./http.js";
import type {
  BatchItem,
  CallOptions,
  Enqueued,
  EnqueueOptions,
  JobCounts,
  JobId,
  JobList,
  JobMap,
  JobMapFrom,
  JobStatusOf,
  JobType,
  JobUpdateOf,
  ReadOptions,
} from "./types.js";
import { type Watch, type WatchOptions, watchJob } from "./watch.js";

export type { Schedule, ScheduleOptions } from "../schedules.js";
export * from "./errors.js";
export type { EventsOptions } from "./events.js";
export type { ClientOptions, Dynamic } from "./http.js";
export type * from "./types.js";
export type { Watch, WatchOptions } from "./watch.js";

/** The client {@link createClient} returns. Every method rejects with `QueueClientError`. */
export interface QueueClient<Jobs extends JobMap = JobMap> {
  /** `POST /jobs`: enqueues one job (201 new, 200 when an idempotency key matched). */
  enqueue<T extends JobType<Jobs>>(
    type: T,
    payload: Jobs[T]["payload"],
    options?: EnqueueOptions & CallOptions,
  ): Promise<Enqueued<T>>;
  /** `POST /jobs/batch`: 1–100 jobs, all or none; answers in the same order. */
  enqueueBatch(
    items: ReadonlyArray<BatchItem<Jobs>>,
    options?: CallOptions,
  ): Promise<Array<Enqueued<JobType<Jobs>>>>;
  /** `GET /jobs/:id`: the job's status (`JOB_NOT_FOUND` when there is none). */
  get<T extends JobType<Jobs>>(id: JobId<T>, options?: ReadOptions): Promise<JobStatusOf<Jobs, T>>;
  /**
   * `GET /jobs/:id/result?waitMs=`: waits up to `waitMs` (the server caps it, 25 s by default)
   * for the job to finish. Check `state`: a state that is not `completed`, `failed` or
   * `cancelled` means the wait ran out first (the server's 202).
   */
  result<T extends JobType<Jobs>>(
    id: JobId<T>,
    options?: ReadOptions & { waitMs?: number | undefined },
  ): Promise<JobStatusOf<Jobs, T>>;
  /** `POST /jobs/:id/cancel`: `cancelled` is false when the job had already finished. */
  cancel(id: string, options?: CallOptions): Promise<{ id: string; cancelled: boolean }>;
  /** `POST /jobs/:id/retry`: redrives a `failed` job (`INVALID_STATE`, 409, for any other). */
  retry(id: string, options?: CallOptions): Promise<{ id: string; state: "queued" }>;
  /** `GET /jobs`: one page of jobs, in insertion order. */
  list(
    query?: {
      state?: JobState | undefined;
      limit?: number | undefined;
      cursor?: string | null | undefined;
    },
    options?: CallOptions,
  ): Promise<JobList<Jobs>>;
  /** `DELETE /jobs?state=`: removes the jobs in the named states; returns how many. */
  purge(states: readonly JobState[], options?: CallOptions): Promise<number>;
  /** `GET /stats`: counts per state. */
  stats(options?: CallOptions): Promise<JobCounts>;
  /** `GET /schedules`: every recurring schedule, by id. */
  schedules(options?: CallOptions): Promise<Schedule[]>;
  /** `PUT /schedules/:id`: creates or replaces a schedule; answers it as stored. */
  schedule<T extends JobType<Jobs>>(
    id: string,
    schedule: ScheduleOptions<T, Jobs[T]["payload"]>,
    options?: CallOptions,
  ): Promise<Schedule>;
  /** `DELETE /schedules/:id`: `deleted` is false when there was none. */
  unschedule(id: string, options?: CallOptions): Promise<{ id: string; deleted: boolean }>;
  /**
   * `GET /jobs/:id/events`: the job's updates, a `snapshot` first unless `after` is given.
   * Reconnects by itself (with the server's `retry:` hint, backing off on failures) and ends
   * after the terminal update; never yields a gap or a repeat. Breaking out of the loop closes
   * the connection.
   */
  events<T extends JobType<Jobs>>(
    id: JobId<T>,
    options?: EventsOptions,
  ): AsyncGenerator<JobUpdateOf<Jobs, T>, void, undefined>;
  /**
   * Calls `onUpdate` with each update of `events()`. Returns a function that stops watching
   * (a React effect's cleanup, as is), with `done`: the last update once the stream ends.
   */
  watch<T extends JobType<Jobs>>(
    id: JobId<T>,
    onUpdate: (update: JobUpdateOf<Jobs, T>) => void,
    options?: WatchOptions,
  ): Watch<JobUpdateOf<Jobs, T>>;
}

const schedulePath = (id: string) => `/schedules/${encodeURIComponent(id)}`;

const enqueueBody = (type: string, payload: unknown, options: EnqueueOptions = {}) => {
  const { runAt, priority, delayMs, maxAttempts, backoff, idempotencyKey, concurrencyKey } =
    options;
  return {
    type,
    payload,
    priority,
    delayMs,
    maxAttempts,
    backoff,
    idempotencyKey,
    concurrencyKey,
    runAt: runAt instanceof Date ? runAt.getTime() : runAt,
  };
};

/**
 * A client of the queue's HTTP API (`queueRoutes` from `jdobb-async-queue/hono`). No I/O
 * until the first call.
 *
 * @example
 * import { createClient, QueueClientError } from "jdobb-async-queue/client";
 *
 * // Typed by the server's queue (a type-only import: nothing of the server is bundled) …
 * const queue = createClient<typeof serverQueue>({ baseUrl: "https://api.example/queue", token });
 * // … or by a map: createClient<{ resize: { payload: { url: string }; result: { bytes: number } } }>
 
 *
 * const { id, streamToken } = await queue.enqueue("resize", { url: "https://…/cat.png" });
 * for await (const update of queue.events(id)) console.log(update.seq, update.progress);
 * const job = await queue.result(id, { waitMs: 20_000 });
 * if (job.state === "completed") console.log(job.result?.bytes);
 * // in a browser, without the admin token: events(id, { token: streamToken })
 */
export function createClient<T = JobMap>(options: ClientOptions): QueueClient<JobMapFrom<T>> {
  type Jobs = JobMapFrom<T>;
  const send = sender(options);
  const call = async <T>(
    method: string,
    path: string,
    spec: Parameters<typeof send>[2] = {},
  ): Promise<T> => jsonBody<T>(await send(method, path, spec));
  const client: QueueClient<Jobs> = {
    enqueue: (type, payload, options = {}) =>
      call("POST", "/jobs", {
        body: enqueueBody(type, payload, options),
        signal: options.signal,
      }),
    enqueueBatch: async (items, options = {}) => {
      const body = { jobs: items.map((i) => enqueueBody(i.type, i.payload, i.options)) };
      return (await call<{ jobs: never[] }>("POST", "/jobs/batch", { ...options, body })).jobs;
    },
    get: (id, options = {}) => call("GET", jobPath(id), options),
    result: (id, { waitMs, ...options } = {}) =>
      call("GET", jobPath(id, "/result"), { ...options, query: { waitMs } }),
    cancel: (id, options = {}) => call("POST", jobPath(id, "/cancel"), options),
    retry: (id, options = {}) => call("POST", jobPath(id, "/retry"), options),
    list: ({ state, limit, cursor } = {}, options = {}) =>
      call("GET", "/jobs", { ...options, query: { state, limit, cursor: cursor ?? undefined } }),
    purge: async (states, options = {}) =>
      (
        await call<{ purged: number }>("DELETE", "/jobs", {
          ...options,
          query: { state: states.join(",") },
        })
      ).purged,
    stats: (options = {}) => call("GET", "/stats", options),
    schedules: async (options = {}) =>
      (await call<{ schedules: Schedule[] }>("GET", "/schedules", options)).schedules,
    schedule: async (id, body, options = {}) =>
      (await call<{ schedule: Schedule }>("PUT", schedulePath(id), { ...options, body })).schedule,
    unschedule: (id, options = {}) => call("DELETE", schedulePath(id), options),
    events: (id, options) =>
      followEvents(send, id, options) as AsyncGenerator<JobUpdateOf<Jobs>, void, undefined>,
    watch: (id, onUpdate, options = {}) =>
      watchJob((signal) => client.events(id, { ...options, signal }), onUpdate, options),
  };
  return client;
}
