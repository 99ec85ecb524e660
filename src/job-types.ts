/**
 * Job types defined once, with a Standard Schema per type (zod, valibot, arktype …), flowing to
 * `enqueue` (the payload's input type), to handlers (the schema's output type) and to results.
 *
 * @example
 * const queue = new JobQueue({
 *   backend,
 *   jobs: {
 *     resize: z.object({ url: z.string().url(), width: z.number() }),
 *     report: { payload: z.object({ month: z.string() }), result: z.object({ rows: z.number() }) },
 *   },
 * });
 * await queue.enqueue("resize", { url, width: 200 }); // checked against the schema's input
 */
import type { Job } from "./job.js";
import type { StandardSchema } from "./standard-schema.js";

/** One job type: the schema of its payload, or the schemas of its payload and result. */
export type JobDefinition =
  | StandardSchema
  | { readonly payload: StandardSchema; readonly result?: StandardSchema };

/** Job types by name. A queue without `jobs` takes any type name and any JSON payload. */
export type JobDefinitions = Record<string, JobDefinition>;

/**
 * The definitions of a queue given no `jobs`: any name, payloads and results `unknown`. Every
 * typed queue is also one of these, so code written for any queue takes typed ones too.
 */
export type UntypedJobs = JobDefinitions;

type PayloadSchema<D> = D extends { readonly payload: infer S } ? S : D;
type ResultSchema<D> = D extends { readonly result?: infer S } ? S : undefined;
type Types<S> = S extends StandardSchema ? NonNullable<S["~standard"]["types"]> : never;

/** What `enqueue` takes for a job of definition `D`: its payload schema's input. */
export type PayloadInput<D> = [Types<PayloadSchema<D>>] extends [never]
  ? unknown
  : Types<PayloadSchema<D>>["input"];

/** What a handler receives for a job of definition `D`: its payload schema's output. */
export type PayloadOutput<D> = [Types<PayloadSchema<D>>] extends [never]
  ? unknown
  : Types<PayloadSchema<D>>["output"];

/** What a handler returns for a job of definition `D`: its result schema's input, else any. */
export type ResultOf<D> = [Types<Exclude<ResultSchema<D>, undefined>>] extends [never]
  ? unknown
  : Types<Exclude<ResultSchema<D>, undefined>>["input"];

/** The type names a queue takes. */
export type JobTypeName<J extends JobDefinitions> = keyof J & string;

/** A stored job of one of the queue's types, typed by that type (`job.type` narrows it). */
export type TypedJob<J extends JobDefinitions> = {
  [T in JobTypeName<J>]: Job<PayloadInput<J[T]>, ResultOf<J[T]>> & { type: T };
}[JobTypeName<J>];

/** Per type name, the payload and result types: what a client of the queue's API sees. */
export type JobMapOf<J extends JobDefinitions> = {
  [T in JobTypeName<J>]: { payload: PayloadInput<J[T]>; result: ResultOf<J[T]> };
};

/** The payload schema of a definition (a bare schema, or `{ payload }`). */
export function payloadSchema(definition: JobDefinition): StandardSchema {
  return "~standard" in definition ? definition : definition.payload;
}
