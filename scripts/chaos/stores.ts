/**
 * The stores under test, set up by the orchestrator: an embedded libSQL file, and Redis as a
 * serverless app reaches it — `@upstash/redis` → the local Upstash-compatible REST endpoint
 * (in this process) → a `redis-server` child with an append-only file (fsync always), so a
 * SIGKILL and restart keeps every acknowledged write. On request also libSQL over HTTP, as
 * Turso is reached: `@libsql/client` → the local Hrana endpoint (in this process) → a libSQL
 * file, so a network partition can cut libSQL off too.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startRedisServer } from "../../devtools/redis-server.js";
import { startUpstashRestServer } from "../../devtools/upstash-rest-server.js";
import { startHranaServer } from "../../test/support/hrana-server.js";
import { openQueue, type StoreSpec, sleep } from "./spec.js";

export type StoreName = "libsql" | "libsql-http" | "redis";

/** Every store the harness knows. */
export const STORE_NAMES: readonly StoreName[] = ["libsql", "libsql-http", "redis"];

/** A store, and the store-level faults the chaos loop can inject into it. */
export interface StoreUnderTest {
  name: StoreName;
  spec: StoreSpec;
  /** SIGKILLs redis-server, waits `downMs`, starts it again on the same port and AOF. */
  restartRedis?: (downMs: number) => Promise<void>;
  /** Closes the REST endpoint (connections refused), reopens it on the same port after `downMs`. */
  cut?: (downMs: number) => Promise<void>;
  close(): Promise<void>;
}

export async function openStore(name: StoreName, dir: string): Promise<StoreUnderTest> {
  mkdirSync(dir, { recursive: true });
  if (name === "redis") return openRedis(dir);
  const path = join(dir, "queue.db");
  const hrana = name === "libsql-http" ? await startHranaServer({ path }) : null;
  const spec: StoreSpec = { kind: "libsql", url: hrana?.url ?? `file:${path}` };
  const queue = openQueue(spec);
  await queue.backend.init?.(); // the schema exists before the workers race for it
  await queue.close();
  return { name, spec, close: async () => hrana?.close() };
}

async function openRedis(dir: string): Promise<StoreUnderTest> {
  const appendOnly = { dir: join(dir, "redis"), fsync: "always" as const };
  mkdirSync(appendOnly.dir, { recursive: true });
  let redis = await startRedisServer({ appendOnly });
  const { port } = redis;
  const token = randomBytes(18).toString("base64url");
  let rest = await startUpstashRestServer({ redisUrl: redis.url, token });
  const restPort = Number(new URL(rest.url).port);
  const spec: StoreSpec = { kind: "redis", restUrl: rest.url, token };

  const startRedis = async () => {
    // Replaying the AOF answers LOADING for a moment; the helper waits for PONG.
    for (let tries = 1; ; tries++) {
      try {
        redis = await startRedisServer({ port, appendOnly });
        return;
      } catch (error) {
        if (tries >= 5) throw error;
        await sleep(500);
      }
    }
  };
  let restUp = true;
  return {
    name: "redis",
    spec,
    restartRedis: async (downMs) => {
      await redis.kill("SIGKILL");
      await sleep(downMs);
      await startRedis();
    },
    cut: async (downMs) => {
      restUp = false;
      await rest.close();
      await sleep(downMs);
      rest = await startUpstashRestServer({ redisUrl: redis.url, token, port: restPort });
      restUp = true;
    },
    close: async () => {
      if (restUp) await rest.close();
      await redis.stop();
    },
  };
}
