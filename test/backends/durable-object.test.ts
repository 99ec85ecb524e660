import { Miniflare } from "miniflare";
import { durableObjectBackend } from "../../src/backends/durable-object/backend.js";
import type { QueueObjectNamespace } from "../../src/backends/durable-object/platform.js";
import { testBackend } from "../../src/testing/index.js";
import { bundleWorkerModule, moduleOptions, QUEUE_OBJECTS } from "../support/build-queue-object.js";

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
