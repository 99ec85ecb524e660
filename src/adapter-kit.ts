/**
 * The adapter kit: the one door from `adapters/` into the core besides the public entries
 * (the root, `/client`). It holds what the HTTP routes and the platform adapters share with
 * the core but applications never call, so the core's internal modules can move without
 * touching an adapter (`test/package/boundaries.test.ts` holds adapters to this).
 *
 * Internal: not a package entry. The adapters' build output imports it by relative path
 * (`dist/adapters/*.js` → `dist/src/adapter-kit.js`), as the adapters' sources do.
 */
export { rateLimitedConsole } from "./internal/error-log.js";
export { JobSchemas } from "./internal/job-schemas.js";
export { jsonDepth, MAX_JSON_DEPTH, snapshotOf } from "./internal/json.js";
export { isTerminal, JOB_STATES } from "./job.js";
export type { UntypedJobs } from "./job-types.js";
export { assertJobDefinitions } from "./queue-options.js";
export type { StandardSchema } from "./standard-schema.js";
