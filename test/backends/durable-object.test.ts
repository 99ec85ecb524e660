import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend.js";
import { durableObjectBackend } from "../../src/backends/durable-object/backend.js";
import type {
  QueueObjectNamespace,
  QueueObjectStub,
} from "../../src/backends/durable-object/platform.js";
import { type Job, JobQueue } from "../../src/index.js";
import { testBackend } from "../../src/testing/index.js";
import {
  type BundledScript,
  bundleWorkerModule,
  moduleOptions,
} from "../support/build-worker-module.js";
import { QUEUE_OBJECTS } from "../support/durable-object-options.js";

let stop: () => Promise<void> = async () => {};

testBackend({
  name: "durable-object (QueueObject in workerd, called through miniflare)",
  create: async () => {
    const script = await bundleWorkerModule();
    const mf = new Miniflare({ ...moduleOptions(script), durableObjects: QUEUE_OBJECTS });
    stop = async () => {
      await mf.dispose();
      script.remove();
    };
    const namespace = await mf.getDurableObjectNamespace("QUEUES");
    return durableObjectBackend(namespace as unknown as QueueObjectNamespace);
  },
  teardown: () => stop(),
  // Each call crosses miniflare's proxy into workerd (a few ms): 300 calls per configuration.
  differentialOps: 300,
});

describe("the Durable Object store's limits and streams", () => {
  let mf: Miniflare;
  let script: BundledScript;
  let backend: Backend;
  beforeAll(async () => {
    script = await bundleWorkerModule();
    mf = new Miniflare({ ...moduleOptions(script), durableObjects: QUEUE_OBJECTS });
    backend = durableObjectBackend(
      (await mf.getDurableObjectNamespace("QUEUES")) as unknown as QueueObjectNamespace,
    );
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    script?.remove();
  });

  it("keeps a payload, progress data and result each at the limit; refuses one byte more", async () => {
    const limit = backend.capabilities.maxPayloadBytes;
    const queue = new JobQueue({ backend, name: "limits", progressIntervalMs: 0 });
    const atLimit = "x".repeat(limit - 2); // its JSON text is `limit` bytes
    const id = await queue.enqueue("t", atLimit);
    const job = (await queue.claim()) as Job;
    expect(await queue.update(job, { data: atLimit })).toBe(true);
    expect(await queue.complete(job, atLimit)).toBe(true);
    expect(await queue.get(id)).toMatchObject({ state: "completed", result: atLimit });
    await expect(queue.enqueue("t", `${atLimit}x`)).rejects.toMatchObject({
      code: "VALIDATION",
      field: "payload",
    });
    expect(await queue.stats()).toMatchObject({ queued: 0, completed: 1 });
  });

  it("turns a row SQLite refuses into a coded BACKEND_ERROR that stores nothing", async () => {
    // A queue that raised its own limit past what the store keeps: the store says no.
    const queue = new JobQueue({ backend, name: "too-big", maxPayloadBytes: 3_000_000 });
    await expect(queue.enqueue("t", "x".repeat(2_500_000))).rejects.toMatchObject({
      code: "BACKEND_ERROR",
      message: expect.stringContaining("SQLITE_TOOBIG"),
    });
    expect(await queue.stats()).toMatchObject({ queued: 0 });
  });

  it("ends a job's notice stream when the job finishes", async () => {
    const queue = new JobQueue({ backend, name: "stream-ends" });
    const id = await queue.enqueue("t", 1);
    const namespace = (await mf.getDurableObjectNamespace("QUEUES")) as unknown as {
      idFromName(name: string): unknown;
      get(id: unknown): QueueObjectStub;
    };
    const stub = namespace.get(namespace.idFromName("stream-ends"));
    const reader = (await stub.watch(JSON.stringify({ id }))).getReader();
    const job = (await queue.claim()) as Job;
    await queue.complete(job, "done");
    const lines: string[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      lines.push(new TextDecoder().decode(next.value));
    }
    expect(lines.join("").trim().split("\n").map(Number)).toEqual([2, 3]); // active, completed
    const finished = (await stub.watch(JSON.stringify({ id }))).getReader();
    expect((await finished.read()).done).toBe(true); // a finished job's stream ends at once
  });
});
