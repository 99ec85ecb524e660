/**
 * Next.js App Router catch-all route: the whole queue API under /api/queue, on the Edge
 * runtime. Vercel Cron calls GET /api/queue/cron (see vercel.json) with CRON_SECRET.
 */
import { waitUntil } from "@vercel/functions";
import { vercelHandlers } from "../../../../../../adapters/vercel.js";
import { queue, worker } from "../../../../lib/queue.js";

export const runtime = "edge";

export const { GET, POST, DELETE, OPTIONS } = vercelHandlers({
  queue,
  worker,
  runtime,
  // An enqueue starts a short drain after the response; KICK=false leaves jobs to the cron.
  waitUntil: process.env.KICK === "false" ? undefined : waitUntil,
  cronSecret: process.env.CRON_SECRET,
  routes: {
    auth: { tokens: [process.env.API_TOKEN ?? ""] },
    streamSecret: process.env.STREAM_SECRET,
    cors: { origin: process.env.CORS_ORIGIN ?? "*" },
  },
});
