/**
 * SSE latency and cost: from `ctx.update()` in a handler to the event reaching SSE clients over
 * HTTP (a real Node server), with default settings. The writer is:
 * - `wake`: the same queue object that serves the stream (one process, libSQL file): the
 *   in-process change feed wakes the stream at once;
 * - `poll`: another queue object on its own connection (as another process, libSQL file):
 *   the stream finds the update by polling the event log;
 * - `push-tcp` / `push-rest`: another queue object on its own Redis connection, the stream's
 *   store being Redis over TCP or over REST: the stream reads on the store's notice.
 * Besides latency it counts the store calls the serving side made for all its streams.
 */
import { join } from "node:path";
import { createParser } from "eventsource-parser";
import { Hono } from "hono";
import { queueRoutes } from "../adapters/hono.js";
import { serve } from "../adapters/node.js";
import { JobQueue, Worker } from "../src/index.js";
import { countingBackend } from "../test/support/counting-backend.js";
import { tempDir } from "../test/support/temp-dir.js";
import { backendFor, type Endpoints } from "./lib/servers.js";
import { percentile } from "./lib/stats.js";

export type SseMode = "wake" | "poll" | "push-tcp" | "push-rest";

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  samples: number;
  /** Store calls of the serving queue object while the job ran (all its streams together). */
  storeCalls: number;
  streams: number;
}

/** The serving and writing backends of a mode, and what releases them. */
function stores(mode: SseMode, servers: Endpoints, fileUrl: string) {
  const config =
    mode === "push-tcp" ? "redis-tcp" : mode === "push-rest" ? "redis-rest" : "libsql-file";
  const served = backendFor(config, servers, fileUrl);
  const writing =
    mode === "wake"
      ? served
      : backendFor(config === "redis-rest" ? "redis-tcp" : config, servers, fileUrl);
  return {
    served: served.backend,
    writing: writing.backend,
    close: async () => {
      await served.close();
      if (writing !== served) await writing.close();
    },
  };
}

/** One job with `updates` progress updates `gapMs` apart, followed by `streams` SSE clients. */
export async function sseLatency(
  mode: SseMode,
  servers: Endpoints,
  options: { updates: number; gapMs?: number; streams?: number },
): Promise<Latency> {
  const { updates, gapMs = 250, streams = 1 } = options;
  const dir = tempDir();
  const {
    served: store,
    writing,
    close,
  } = stores(mode, servers, `file:${join(dir.path, "sse.db")}`);
  const { backend, total: calls } = countingBackend(store);
  const name = `sse-${mode}-${Date.now()}`;
  const served = new JobQueue({ backend, name });
  const working = mode === "wake" ? served : new JobQueue({ backend: writing, name });
  const app = new Hono().route("/q", queueRoutes(served, { auth: false, streamSecret: false }));
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
  const id = await working.enqueue("ticker", null);
  const readers = await Promise.all(
    Array.from({ length: streams }, async () => {
      const stream = await fetch(`${running.url}/q/jobs/${id}/events`);
      const parser = createParser({
        onEvent: (event) => {
          if (event.event !== "progress") return;
          const { data } = JSON.parse(event.data) as { data: { i: number } };
          const sent = sentAt.get(data.i);
          if (sent !== undefined) latencies.push(performance.now() - sent);
        },
      });
      // Wrapped: an async function returning the read itself would wait for the stream's end.
      const read = async () => {
        const decoder = new TextDecoder();
        for await (const chunk of stream.body ?? [])
          parser.feed(decoder.decode(chunk, { stream: true }));
      };
      return { done: read() };
    }),
  );
  const before = calls();
  await worker.drain({ budgetMs: 600_000 });
  await Promise.all(readers.map((reader) => reader.done)); // each ends after the completed event
  const storeCalls = calls() - before;
  await running.close();
  await served.close();
  if (working !== served) await working.close();
  await close();
  dir.remove();
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    samples: latencies.length,
    storeCalls,
    streams,
  };
}
