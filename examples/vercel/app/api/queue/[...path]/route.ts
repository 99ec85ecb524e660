/**
 * Next.js App Router catch-all route: the whole queue API under /api/queue, on the Edge
 * runtime. Vercel Cron calls GET /api/queue/cron (see vercel.json) with CRON_SECRET.
 */
import { waitUntil } from "@vercel/functions";
import { dashboard } from "jdobb-async-queue/dashboard";
import { vercelHandlers } from "jdobb-async-queue/vercel";
import { queue, worker } from "../../../../lib/queue";

export const runtime = "edge";

/**
 * A secret from the environment: unset is `undefined` (the feature is off) unless `required`;
 * set, it must be `minLength`+ characters. The error names the variable, at startup.
 */
function secret(name: string, value: string | undefined, required: boolean, minLength = 16) {
  if (value === undefined && !required) return undefined;
  if (!value || value.length < minLength) {
    throw new Error(`set the ${name} environment variable (${minLength}+ characters)`);
  }
  return value;
}

export const { GET, HEAD, POST, PUT, DELETE, OPTIONS } = vercelHandlers({
  queue,
  worker,
  runtime,
  // An enqueue starts a short drain after the response; KICK=false leaves jobs to the cron.
  waitUntil: process.env.KICK === "false" ? undefined : waitUntil,
  // Direct process.env.NAME references: that is what bundlers inline for the Edge runtime.
  cronSecret: secret("CRON_SECRET", process.env.CRON_SECRET, false, 1),
  routes: {
    auth: { tokens: [secret("API_TOKEN", process.env.API_TOKEN, true)] },
    streamSecret: secret("STREAM_SECRET", process.env.STREAM_SECRET, false),
    cors: { origin: process.env.CORS_ORIGIN ?? "*" },
    dashboard: dashboard(), // GET /api/queue/dashboard: sign in with API_TOKEN
  },
});
