import { describe, expect, it } from "vitest";
import { BACKEND_FEATURES } from "../../src/backend.js";
import { libsqlBackend as portableBackend } from "../../src/backends/libsql/index.js";
import { libsqlBackend } from "../../src/backends/libsql/node.js";
import { redisBackend } from "../../src/backends/redis/index.js";

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
  ])("%s declares every optional group and implements each", (_name, create) => {
    const backend = create();
    expect([...backend.capabilities.features].sort()).toEqual([...BACKEND_FEATURES].sort());
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
});
