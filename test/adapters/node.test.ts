import { createServer } from "node:net";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { queueRoutes } from "../../adapters/hono.js";
import { serve } from "../../adapters/node.js";
import { Worker } from "../../src/index.js";
import { memoryQueue, until } from "../support/memory-queue.js";
import { collectEvents } from "../support/sse-client.js";
import { tempDir } from "../support/temp-dir.js";

const TOKEN = "node-admin-token-0123456789";

/** Settles (rejecting) once `signal` aborts, as a handler that runs until shutdown. */
const aborted = (signal: AbortSignal) =>
  new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
const auth = { authorization: `Bearer ${TOKEN}` };

function app(queue: ReturnType<typeof memoryQueue>["queue"], worker: Worker) {
  return new Hono().route("/queue", queueRoutes(queue, { auth: { tokens: [TOKEN] }, worker }));
}

/** A file queue with one job whose handler waits until its signal aborts. */
async function waitingJob() {
  const dir = tempDir();
  const { queue, clock } = memoryQueue({}, `file:${dir.path}/q.db`);
  const started: string[] = [];
  const worker = new Worker(queue).handler("wait", (ctx) => {
    started.push(ctx.job.id);
    return new Promise((_, reject) =>
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
    );
  });
  const id = await queue.enqueue("wait", null);
  return { dir, queue, clock, started, worker, id };
}

describe("node adapter", () => {
  it("serves the API on a free port and its cron-timed drains process jobs end to end", async () => {
    const { queue } = memoryQueue({ clock: undefined });
    const worker = new Worker(queue).handler<{ word: string }>("shout", async (ctx) => {
      await ctx.update({ progress: 0.5, message: "thinking" });
      return ctx.payload.word.toUpperCase();
    });
    const running = await serve({
      fetch: app(queue, worker).fetch,
      queue,
      worker,
      port: 0,
      drains: { cron: "* * * * * *", budgetMs: 900 }, // every second
      signals: false,
    });
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const created = await fetch(`${running.url}/queue/jobs`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ type: "shout", payload: { word: "hello" } }),
      });
      expect(created.status).toBe(201);
      const { id, links } = await created.json();
      const stream = await fetch(`${running.url}${links.events}`, { headers: auth });
      // Ends when a cron tick has finished the job. A tick may already have run it before the
      // stream opened (then the snapshot alone is the completed job): assert the outcome and
      // the order, not the timing.
      const events = await collectEvents(stream);
      expect(events[0]?.event).toBe("snapshot");
      expect(events.at(-1)?.data).toMatchObject({ state: "completed", result: "HELLO" });
      const seqs = events.map((e) => Number(e.id));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      const result = await fetch(`${running.url}/queue/jobs/${id}/result`, { headers: auth });
      expect(await result.json()).toMatchObject({ state: "completed", result: "HELLO" });
    } finally {
      await running.close();
    }
  });

  it("shuts down gracefully: stops claiming, releases unfinished jobs after graceMs, closes", async () => {
    const { dir, queue, clock, started, worker, id } = await waitingJob();
    const running = await serve({
      fetch: app(queue, worker).fetch,
      queue,
      worker,
      port: 0,
      drains: { loop: true },
      signals: ["SIGUSR2"],
      exitOnSignal: false,
      graceMs: 5_000,
    });
    await until(() => started.length === 1, "the job to start");
    const waiting = await queue.enqueue("wait", null); // enqueued before the signal, never started
    process.emit("SIGUSR2", "SIGUSR2");
    await clock.untilSleeping(2); // the grace timer and the job's heartbeat
    await clock.advance(5_000);
    await running.close();
    expect(started).toEqual([id]);
    const other = memoryQueue({ name: queue.name }, `file:${dir.path}/q.db`).queue;
    expect(await other.get(id)).toMatchObject({ state: "queued", attempts: 0 }); // released
    expect(await other.get(waiting)).toMatchObject({ state: "queued", attempts: 0 });
    expect(await fetch(`${running.url}/queue/stats`).catch(() => "refused")).toBe("refused");
    await other.close();
    dir.remove();
  });

  it("on close, releases the jobs of a drain the cron route started (no lease expiry)", async () => {
    const { dir, queue, clock, started, worker, id } = await waitingJob();
    const running = await serve({
      fetch: app(queue, worker).fetch,
      queue,
      worker,
      port: 0,
      signals: false,
      graceMs: 1_000,
    });
    // The drain runs inside this request, outside the drains of serve().
    const cron = fetch(`${running.url}/queue/cron`, { method: "POST", headers: auth }).catch(
      () => null,
    );
    await until(() => started.length === 1, "the cron route's drain to start the job");
    const closed = running.close();
    await clock.untilSleeping(2); // the grace timer and the job's heartbeat
    await clock.advance(1_000); // the grace period; the lease (30 s) is far from expiring
    await closed;
    const other = memoryQueue({ name: queue.name }, `file:${dir.path}/q.db`).queue;
    expect(await other.get(id)).toMatchObject({ state: "queued", attempts: 0 }); // released
    await cron;
    await other.close();
    dir.remove();
  });

  it("on a busy port, rejects with EADDRINUSE and starts no drains", async () => {
    const { queue } = memoryQueue();
    const ran: string[] = [];
    const worker = new Worker(queue).handler("t", (ctx) => ran.push(ctx.job.id));
    const id = await queue.enqueue("t", null);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      await expect(
        serve({ fetch: () => new Response(), queue, worker, port, drains: { loop: true } }),
      ).rejects.toMatchObject({ code: "EADDRINUSE" });
      await worker.stop(); // waits for anything a loop would have claimed
      expect(ran).toEqual([]);
      expect((await queue.get(id))?.state).toBe("queued");
      expect(process.listenerCount("SIGTERM")).toBe(0); // no signal handlers left behind
    } finally {
      taken.close();
      await queue.close();
    }
  });

  it("absorbs a repeated signal while shutting down (npm forwards Ctrl-C a second time)", async () => {
    const { queue, clock } = memoryQueue();
    const worker = new Worker(queue).handler("wait", (ctx) => aborted(ctx.signal));
    await queue.enqueue("wait", null);
    const signals: string[] = [];
    let closing: Promise<void> | null = null;
    const running = await serve({
      fetch: () => new Response(),
      queue,
      worker,
      port: 0,
      drains: { loop: true },
      signals: ["SIGUSR2"],
      exitOnSignal: false,
      graceMs: 1_000,
      onSignal: (signal, shutdown) => {
        signals.push(signal);
        closing = shutdown;
      },
    });
    await clock.untilSleeping(1); // the running job's heartbeat
    process.emit("SIGUSR2", "SIGUSR2");
    // Still handled: a signal with no listener left would kill the process.
    expect(process.listenerCount("SIGUSR2")).toBe(1);
    process.emit("SIGUSR2", "SIGUSR2");
    expect(signals).toEqual(["SIGUSR2"]);
    await clock.untilSleeping(2);
    await clock.advance(1_000);
    await closing;
    await running.close();
    expect(process.listenerCount("SIGUSR2")).toBe(0); // closed: the default action is back
  });

  it("runs a tick on demand, and refuses drains without a worker", async () => {
    const { queue } = memoryQueue();
    const worker = new Worker(queue).handler("t", () => "ok");
    await queue.enqueue("t", null);
    const running = await serve({
      fetch: app(queue, worker).fetch,
      queue,
      worker,
      port: 0,
      signals: false,
    });
    expect(await running.tick()).toMatchObject({ completed: 1 });
    await running.close();
    await expect(
      serve({
        fetch: () => new Response(),
        queue,
        drains: { everyMs: 1_000 },
        port: 0,
        signals: false,
      }),
    ).rejects.toThrow(/drains need a worker/);
  });
});
