/**
 * `jdobb-async-queue/backend`: what a storage backend's author needs, and nothing an
 * application calls. The contract ({@link Backend}: a required core and the optional groups a
 * backend declares in `capabilities.features`), the constants its claim rules name, as values,
 * the helpers it is written against, and the errors a backend throws.
 *
 * Check a backend with the conformance suite, `testBackend` from `jdobb-async-queue/testing`.
 *
 * @example
 * import {
 *   type Backend,
 *   BackendUnavailableError,
 *   type ClaimInput,
 *   SCHEDULES_PER_CLAIM,
 * } from "jdobb-async-queue/backend";
 *
 * export function myBackend(): Backend {
 *   return {
 *     name: "my-store",
 *     capabilities: { maxPayloadBytes: 1_000_000, features: [] },
 *     async claim(input: ClaimInput) {
 *       // rule 0: sweep expired leases, materialise up to SCHEDULES_PER_CLAIM due schedules …
 *     },
 *     // … the rest of the required core
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
