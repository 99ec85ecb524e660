import { describe, it } from "vitest";
import { testBackend } from "../../src/testing/index.js";
import { redisUrl, tcpSetup, upstashSetup } from "../support/redis-clients.js";

if (!redisUrl) {
  describe.skip("redis backends (redis-server not installed)", () => it("skipped", () => {}));
} else {
  let closeEndpoint = async () => {};
  testBackend({
    name: "redis via @upstash/redis → local REST endpoint",
    create: async () => {
      const { endpoint, backend } = await upstashSetup();
      closeEndpoint = () => endpoint.close();
      return backend;
    },
    teardown: () => closeEndpoint(),
  });

  let closeTcp = () => {};
  testBackend({
    name: "redis via ioredis (TCP)",
    create: () => {
      const { client, backend } = tcpSetup();
      closeTcp = () => client.disconnect();
      return backend;
    },
    teardown: () => closeTcp(),
  });
}
