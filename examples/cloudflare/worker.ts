/**
 * The Cloudflare Workers example (`main` of `wrangler.toml`): the Worker of `queue-worker.ts`
 * with the dashboard, storing jobs where the `STORE` var says (`stores.ts`): by default in a
 * Durable Object per queue, so it runs with no service outside Cloudflare. It exports the
 * Durable Object store's classes: `QueueObject` (the objects) and `QueueDrain` (what their
 * alarms call to start a drain when delayed jobs, schedule ticks or lease ends fall due).
 */
import { dashboard } from "jdobb-async-queue/dashboard";
import { queueDrain } from "jdobb-async-queue/durable-object";
import { exampleWorker } from "./queue-worker";
import { backendFrom } from "./stores";

// GET /queue/dashboard: sign in with API_TOKEN. Without it, the Worker carries none of the page.
const worker = exampleWorker(backendFrom, { dashboard: dashboard() });

export default worker;
export { QueueObject } from "jdobb-async-queue/durable-object";
export const QueueDrain = queueDrain(worker);
