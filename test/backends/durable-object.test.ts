import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { durableObjectBackend } from "../../src/backends/durable-object/backend.js";
import type { QueueObjectNamespace } from "../../src/backends/durable-object/platform.js";
import { testBackend } from "../../src/testing/index.js";
import { bundleWorkerModule } from "../support/build-queue-object.js";

let stop: () => Promise<void> = async () => {};

testBackend({
  name: "durable-object (QueueObject in workerd, called through miniflare)",
  create: async () => {
    const script = await bundleWorkerModule();
    const mf = new Miniflare({
      modules: true,
      scriptPath: script.scriptPath,
      modulesRoot: dirname(script.scriptPath),
      compatibilityDate: "2026-04-20",
      durableObjects: { QUEUES: { className: "QueueObject", useSQLite: true } },
    });
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
