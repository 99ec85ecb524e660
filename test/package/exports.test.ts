import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;

describe("published package", () => {
  it("builds to dist/ and every exported subpath resolves by package name", () => {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "pipe" });
    const script = `
      const main = await import("jdobb-async-queue");
      const libsql = await import("jdobb-async-queue/libsql");
      const redis = await import("jdobb-async-queue/redis");
      const hono = await import("jdobb-async-queue/hono");
      const node = await import("jdobb-async-queue/node");
      const cloudflare = await import("jdobb-async-queue/cloudflare");
      const vercel = await import("jdobb-async-queue/vercel");
      console.log(JSON.stringify({
        main: ["JobQueue", "Worker", "Broadcaster", "ManualClock"].filter((k) => typeof main[k] === "function"),
        libsql: typeof libsql.libsqlBackend,
        redis: [typeof redis.redisBackend, typeof redis.fromIoredis],
        adapters: [
          typeof hono.queueRoutes,
          typeof node.serve,
          typeof cloudflare.cloudflareWorker,
          typeof vercel.vercelHandlers,
        ],
      }));`;
    const out = execFileSync("node", ["--input-type=module", "-e", script], {
      cwd: root,
    }).toString();
    expect(JSON.parse(out)).toEqual({
      main: ["JobQueue", "Worker", "Broadcaster", "ManualClock"],
      libsql: "function",
      redis: ["function", "function"],
      adapters: ["function", "function", "function", "function"],
    });
  }, 60_000);
});
