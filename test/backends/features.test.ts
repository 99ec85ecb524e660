import { describe, expect, it } from "vitest";
import { BACKEND_FEATURES } from "../../src/backend.js";
import { libsqlBackend as portableBackend } from "../../src/backends/libsql/index.js";
import { libsqlBackend } from "../../src/backends/libsql/node.js";
import { fromIoredis, redisBackend } from "../../src/backends/redis/index.js";

/** A REST client that is never called (the factories do no I/O). */
const unusedRedis = {
  evalsha: () => Promise.reject(new Error("unused")),
  eval: () => Promise.reject(new Error("unused")),
} as unknown as Parameters<typeof redisBackend>[0]["redis"];

describe("shipped backends", () => {
  it.each([
    ["libsql (Node entry)", () => libsqlBackend({ url: ":memory:" })],
    ["libsql (portable entry)", () => portableBackend({ url: ":memory:" })],
    ["redis", () => redisBackend({ redis: unusedRedis })],
  ])("%s declares every optional group but push, and implements each", (_name, create) => {
    const backend = create();
    const pushless = BACKEND_FEATURES.filter((feature) => feature !== "push");
    expect([...backend.capabilities.features].sort()).toEqual([...pushless].sort());
    const methods = [
      "putSchedule",
      "deleteSchedule",
      "listSchedules",
      "refillSchedule",
      "setQueueLimits",
      "getQueueLimits",
      "setKeyLimits",
      "getKeyLimits",
      "completeAndClaim",
      "completeAndClaimMany",
    ] as const;
    for (const method of methods) expect(typeof backend[method], method).toBe("function");
  });

  it("redis declares push when its client can subscribe (ioredis, @upstash/redis)", () => {
    const ioredis = { ...unusedRedis, duplicate: () => ({}) };
    const upstash = { ...unusedRedis, subscribe: () => ({}) };
    for (const client of [fromIoredis(ioredis as never), upstash]) {
      const backend = redisBackend({ redis: client as typeof unusedRedis });
      expect(backend.capabilities.features).toContain("push");
      expect(typeof backend.watch).toBe("function");
    }
  });
});
