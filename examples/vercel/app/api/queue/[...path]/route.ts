/**
 * Next.js App Router catch-all route: the whole queue API under /api/queue, on the Edge
 * runtime. Vercel Cron calls GET /api/queue/cron (see vercel.json) with CRON_SECRET.
 */
import { waitUntil } from "@vercel/functions";
import { vercelHandlers } from "../../../../../../adapters/vercel.js";
import { optionalSecret, requiredSecret } from "../../../../../shared/env.js";
import { queue, worker } from "../../../../lib/queue.js";

export const runtime = "edge";

export const { GET, POST, DELETE, OPTIONS } = vercelHandlers({
  queue,
  worker,
  runtime,
  // An enqueue starts a short drain after the response; KICK=false leaves jobs to the cron.
  waitUntil: process.env.KICK === "false" ? undefined : waitUntil,
  // Direct process.env.NAME references: that is what bundlers inline for the Edge runtime.
  cronSecret: optionalSecret("CRON_SECRET", process.env.CRON_SECRET, 1),
  routes: {
    auth: { tokens: [requiredSecret("API_TOKEN", process.env.API_TOKEN)] },
    streamSecret: optionalSecret("STREAM_SECRET", process.env.STREAM_SECRET),
    cors: { origin: process.env.CORS_ORIGIN ?? "*" },
  },
});
