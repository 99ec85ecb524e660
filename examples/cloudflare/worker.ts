/**
 * The Cloudflare Workers example (`main` of `wrangler.toml`): the Worker of `queue-worker.ts`,
 * storing jobs in Upstash Redis (UPSTASH_REDIS_REST_URL + _TOKEN) or libSQL / Turso
 * (LIBSQL_URL + LIBSQL_AUTH_TOKEN), whichever the bindings configure, with the dashboard.
 */
import { dashboard } from "jdobb-async-queue/dashboard";
import { backendFrom, exampleWorker } from "./queue-worker";

// GET /queue/dashboard: sign in with API_TOKEN. Without it, the Worker carries none of the page.
export default exampleWorker(backendFrom, { dashboard: dashboard() });
