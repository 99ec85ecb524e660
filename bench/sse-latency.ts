/**
 * SSE latency: from `ctx.update()` in a handler to the event reaching an SSE client over HTTP
 * (a real Node server), with default poll settings. Two cases:
 * - `wake`: the worker writes through the same queue object that serves the stream (one
 *   process): in-process notifications wake the stream at once.
 * - `poll`: the worker runs on another queue object (as another process or a cron-triggered
 *   function would): the stream finds the update by polling the event log.
 */
import { join } from "node:path";
import { createParser } from "eventsource-parser";
import { Hono } from "hono";
import { queueRoutes } from "../adapters/hono.js";
import { serve } from "../adapters/node.js";
import { libsqlBackend } from "../src/backends/libsql/node.js";
import { JobQueue, Worker } from "../src/index.js";
import { tempDir } from "../test/support/temp-dir.js";
import { percentile } from "./lib/stats.js";

export interface Latency {
  p50: number;
  p95: number;
  samples: number;
}

export async function sseLatency(
  mode: "wake" | "poll",
  updates: number,
  gapMs = 250,
): Promise<Latency> {
  const dir = tempDir();
  const backend = libsqlBackend({ url: `file:${join(dir.path, "sse.db")}` });
  const served = new JobQueue({ backend, name: "sse" });
  const working = mode === "wake" ? served : new JobQueue({ backend, name: "sse" });
  const app = new Hono().route("/q", queueRoutes(served, { auth: false }));
  const running = await serve({ fetch: app.fetch, queue: served, port: 0, signals: false });

  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const worker = new Worker(working).handler("ticker", async (ctx) => {
    for (let i = 0; i < updates; i++) {
      await new Promise((resolve) => setTimeout(resolve, gapMs));
      sentAt.set(i, performance.now());
      await ctx.update({ progress: (i + 1) / updates, data: { i } });
    }
    return null;
  });
  const id = await served.enqueue("ticker", null);
  const stream = await fetch(`${running.url}/q/jobs/${id}/events`);
  const parser = createParser({
    onEvent: (event) => {
      if (event.event !== "progress") return;
      const { data } = JSON.parse(event.data) as { data: { i: number } };
      const sent = sentAt.get(data.i);
      if (sent !== undefined) latencies.push(performance.now() - sent);
    },
  });
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream.body ?? [])
      parser.feed(decoder.decode(chunk, { stream: true }));
  })();
  await worker.drain({ budgetMs: 120_000 });
  await reading; // the stream ends after the completed event
  await running.close();
  if (working !== served) await working.close();
  dir.remove();
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    samples: latencies.length,
  };
}
