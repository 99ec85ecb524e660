/**
 * `jdobb-async-queue/backend`: what a storage backend's author needs, and nothing an
 * application calls. The contract ({@link Backend}: a required core and the optional groups a
 * backend declares in `capabilities.features`), the constants its claim rules name, as values,
 * the helpers it is written against, and the errors a backend throws.
 *
 * Check a backend with the conformance suite, `testBackend` from `jdobb-async-queue/testing`.
 *
 * @example
 * import { type Backend, BackendUnavailableError } from "jdobb-async-queue/backend";
 *
 * export function myBackend(store: MyStore): Backend {
 *   // A call that got no reply is retryable: say so with the class callers branch on.
 *   const call = <T>(op: () => Promise<T>) =>
 *     op().catch(() => Promise.reject(new BackendUnavailableError("my-store: no reply")));
 *   return {
 *     name: "my-store",
 *     capabilities: { maxPayloadBytes: 1_000_000, features: [] }, // the required core only
 *     enqueue: (input) => call(() => store.enqueue(input)),
 *     claim: (input) => call(() => store.claim(input)), // the claim rules on ClaimInput
 *     // … update, complete, fail, release, cancel, retry, get, readEvents, list, stats, purge
 *   };
 * }
 */
export * from "./backend.js";
export {
  BackendError,
  BackendUnavailableError,
  QueueError,
  ValidationError,
} from "./errors.js";
export { JOB_STATES, type JobCounts, type JobState, type JobUpdateType } from "./job.js";
