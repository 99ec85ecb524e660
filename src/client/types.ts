/** The shapes the HTTP API sends and takes, typed by a map of job types. Types only. */
import type {
  BackoffOptions,
  EnqueueOptions,
  JobCounts,
  JobError,
  JobState,
  JobUpdate,
} from "../job.js";
import type { JobDefinitions, JobMapOf } from "../job-types.js";

export type { BackoffOptions, EnqueueOptions, JobCounts, JobError, JobState, JobUpdate };

/**
 * Per job type, its payload and result. `createClient<Jobs>` takes one; the default allows any
 * type with `unknown` payloads and results.
 *
 * @example
 * type Jobs = { resize: { payload: { url: string }; result: { bytes: number } } };
 */
export type JobMap = Record<string, { payload: unknown; result: unknown }>;

/**
 * What `createClient<T>` accepts: a {@link JobMap}, or the type of a `JobQueue` given `jobs`
 * (`createClient<typeof queue>`), whose schemas then type the client's calls.
 */
export type JobMapFrom<T> = T extends { readonly jobs: infer J | undefined }
  ? J extends JobDefinitions
    ? JobMapOf<J>
    : JobMap
  : T extends JobMap
    ? T
    : JobMap;

/** The job types of a map, as strings. */
export type JobType<Jobs extends JobMap> = keyof Jobs & string;

declare const jobType: unique symbol;

/**
 * A job id that remembers its job's type (at compile time only: at run time it is a plain
 * string). Ids from `enqueue` carry it, so `result(id)` knows the result's type; any string is
 * accepted where an id is expected.
 */
export type JobId<Type extends string = string> = string & { readonly [jobType]?: Type };

/** Where a job's routes are, relative to the API's host. */
export interface JobLinks {
  self: string;
  events: string;
  result: string;
  cancel: string;
}

/** A job's status as `GET /jobs/:id` (and the result and list routes) send it. */
export interface JobStatus<Type extends string = string, Payload = unknown, Result = unknown> {
  id: JobId<Type>;
  type: Type;
  state: JobState;
  /** 0..1, as last reported by the handler. */
  progress: number;
  message: string | null;
  data: unknown;
  attempts: number;
  maxAttempts: number;
  priority: number;
  runAt: number;
  createdAt: number;
  updatedAt: number;
  /** The sequence number of the job's latest event (`events(id, { after: seq })` resumes). */
  seq: number;
  result: Result | null;
  error: JobError | null;
  /** Only for admin callers (not with a stream token). */
  payload?: Payload;
  links: JobLinks;
}

/** The status of a job of any of `Types`: a union you can narrow by `type`. */
export type JobStatusOf<Jobs extends JobMap, Types extends JobType<Jobs> = JobType<Jobs>> = {
  [T in Types]: JobStatus<T, Jobs[T]["payload"], Jobs[T]["result"]>;
}[Types];

/** An update of a job of any of `Types` (its `result` typed). */
export type JobUpdateOf<Jobs extends JobMap, Types extends JobType<Jobs> = JobType<Jobs>> = {
  [T in Types]: JobUpdate<Jobs[T]["result"]>;
}[Types];

/** What `enqueue` answers. */
export interface Enqueued<Type extends string = string> {
  id: JobId<Type>;
  /** False when an idempotency key matched a live job: `id` is that job's. */
  created: boolean;
  state: JobState;
  links: JobLinks;
  /**
   * A token for this one job's read routes (status, events, result) when the server has a
   * `streamSecret`: hand it to a browser, which passes it as `events(id, { token })`.
   */
  streamToken?: string;
  /** The events route with `?token=`, for a plain `EventSource`. */
  streamUrl?: string;
}

/** One job of `enqueueBatch`. */
export type BatchItem<Jobs extends JobMap> = {
  [T in JobType<Jobs>]: {
    type: T;
    payload: Jobs[T]["payload"];
    options?: EnqueueOptions | undefined;
  };
}[JobType<Jobs>];

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the request; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Options of the read routes a stream token may use (`get`, `result`). */
export interface ReadOptions extends CallOptions {
  /** A job's stream token (from `enqueue`), for callers without the admin token. */
  token?: string | undefined;
}

/** A page of `list()`. */
export interface JobList<Jobs extends JobMap> {
  jobs: Array<JobStatusOf<Jobs>>;
  /** Pass back as `cursor` for the next page; `null` at the end. */
  cursor: string | null;
}
