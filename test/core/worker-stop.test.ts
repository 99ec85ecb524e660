import { describe, expect, it } from "vitest";
import { Worker } from "../../src/index.js";
import { memoryQueue, until } from "../support/memory-queue.js";

/** A worker whose "block" handler runs until it is aborted; `started` lists the job ids. */
function blockingWorker(queue: ReturnType<typeof memoryQueue>["queue"]) {
  const started: string[] = [];
  const worker = new Worker(queue).handler("block", (ctx) => {
    started.push(ctx.job.id);
    return new Promise((_, reject) =>
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
    );
  });
  return { worker, started };
}

describe("Worker.stop reaches every drain in progress", () => {
  it("releases, after graceMs, the jobs of a drain started without signals of its own", async () => {
    const { queue, clock } = memoryQueue();
    const id = await queue.enqueue("block", null);
    const { worker, started } = blockingWorker(queue);
    const drained = worker.drain({ budgetMs: 60_000 }); // as a cron route runs it
    await until(() => started.length === 1, "the drain to start the job");
    const stopped = worker.stop({ graceMs: 1_000 });
    await clock.untilSleeping(2); // the grace timer and the job's heartbeat
    await clock.advance(1_000); // far from the lease's expiry
    await stopped;
    expect(await queue.get(id)).toMatchObject({ state: "queued", attempts: 0 });
    expect(await drained).toMatchObject({ claimed: 1, released: 1, stoppedBy: "signal" });
  });

  it("without graceMs, stops the drain claiming and waits for its running job", async () => {
    const { queue, clock } = memoryQueue();
    // One after the other: calls in flight together have no order.
    const first = await queue.enqueue("slow", null);
    const second = await queue.enqueue("slow", null);
    const worker = new Worker(queue).handler("slow", async () => {
      await clock.sleep(500);
      return "done";
    });
    const drained = worker.drain({ budgetMs: 60_000 });
    await clock.untilSleeping(2); // the first job's handler and heartbeat
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false); // its job is still running
    await clock.advance(500);
    await stopping;
    expect(await drained).toMatchObject({ claimed: 1, completed: 1, stoppedBy: "signal" });
    expect((await queue.get(first as string))?.state).toBe("completed");
    expect((await queue.get(second as string))?.state).toBe("queued"); // never claimed
  });

  it("a drain started while stop() waits claims nothing; afterwards the worker drains again", async () => {
    const { queue, clock } = memoryQueue();
    const { worker, started } = blockingWorker(queue);
    worker.handler("t", () => "ok");
    const blocked = await queue.enqueue("block", null);
    const drained = worker.drain({ budgetMs: 60_000 });
    await until(() => started.length === 1, "the first drain to start its job");
    const stopped = worker.stop({ graceMs: 1_000 });
    const late = await queue.enqueue("t", null);
    expect(await worker.drain({ budgetMs: 60_000 })).toMatchObject({
      claimed: 0,
      stoppedBy: "signal",
    });
    await clock.untilSleeping(2);
    await clock.advance(1_000);
    await stopped;
    await drained;
    expect(await queue.get(blocked)).toMatchObject({ state: "queued", attempts: 0 });
    expect((await queue.get(late))?.state).toBe("queued");
    await queue.cancel(blocked);
    expect(await worker.drain({ budgetMs: 60_000 })).toMatchObject({ claimed: 1, completed: 1 });
  });

  it("a drain's own shutdown signal releases its jobs and ends its claiming", async () => {
    const { queue } = memoryQueue();
    const id = await queue.enqueue("block", null);
    const { worker, started } = blockingWorker(queue);
    const shutdown = new AbortController();
    // maxJobs bounds the claims of a drain that would go on claiming the job it released.
    const drained = worker.drain({ budgetMs: 60_000, maxJobs: 5, shutdown: shutdown.signal });
    await until(() => started.length === 1, "the drain to start the job");
    shutdown.abort();
    expect(await drained).toMatchObject({ claimed: 1, released: 1, stoppedBy: "signal" });
    expect(await queue.get(id)).toMatchObject({ state: "queued", attempts: 0 });
  });
});
