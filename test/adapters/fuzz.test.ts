/**
 * Seeded fuzzing of every route, in process, mounted as docs/http-api.md shows: malformed requests
 * must never get a 5xx, every error must have the documented shape, and a refused request
 * must store nothing.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { systemClock } from "../../src/internal/clock.js";
import {
  FUZZ_MAX_BODY_BYTES,
  type FuzzMemory,
  FuzzRequests,
  mulberry32,
} from "../support/fuzz-requests.js";
import { routesApp } from "../support/routes-app.js";

const SEED = 0x5eed_0009;
const REQUESTS = 10_000;

/** Everything a request could have stored: counts, and each job's id, state and last event. */
async function fingerprint(queue: ReturnType<typeof routesApp>["queue"]): Promise<string> {
  const jobs: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await queue.list({ limit: 1_000, cursor });
    for (const job of page.jobs) jobs.push(`${job.id}:${job.state}:${job.seq}`);
    cursor = page.cursor;
  } while (cursor);
  return JSON.stringify([await queue.stats(), jobs]);
}

/** The response's body, reading at most the first chunk of an event stream. */
async function readBody(res: Response): Promise<string> {
  if (!res.headers.get("content-type")?.startsWith("text/event-stream")) return res.text();
  if (!res.body) return ""; // HEAD
  const reader = res.body.getReader();
  const first = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(first.value);
}

/** What 2xx answers reveal (job ids, stream tokens, cursors), for later requests to reuse. */
function remember(memory: FuzzMemory, body: unknown) {
  const found = body as { id?: unknown; streamToken?: unknown; jobs?: unknown; cursor?: unknown };
  if (typeof found?.id === "string") {
    const token = typeof found.streamToken === "string" ? found.streamToken : undefined;
    memory.jobs.push({ id: found.id, token });
  }
  if (Array.isArray(found?.jobs)) for (const job of found.jobs) remember(memory, job);
  if (typeof found?.cursor === "string") memory.cursors.push(found.cursor);
}

describe("fuzzing the routes", () => {
  it(`answers ${REQUESTS} malformed requests without a 5xx, with well-formed errors, storing nothing when refusing`, async () => {
    const app = routesApp(
      {
        jobs: { echo: z.unknown(), resize: z.object({ url: z.string() }) },
        maxBodyBytes: FUZZ_MAX_BODY_BYTES,
        budgetMs: 200,
        sse: { heartbeatMs: 20, maxStreamMs: 50, pollMs: { min: 5, max: 5 } },
        waitMs: { default: 0, max: 5 },
      },
      { clock: systemClock },
    );
    const memory: FuzzMemory = { jobs: [], cursors: [] };
    const requests = new FuzzRequests(mulberry32(SEED), memory);
    const statuses = new Map<number, number>();
    let before = await fingerprint(app.queue);
    for (let i = 0; i < REQUESTS; i++) {
      const { path, init } = requests.next();
      const res = await app.request(path, init);
      const text = await readBody(res);
      const where = `request ${i}: ${init.method} ${path.slice(0, 200)} → ${res.status}`;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, where).toBeLessThan(500);
      const after = await fingerprint(app.queue);
      if (res.status >= 300) {
        expect(after, `${where} stored something`).toBe(before);
        if (init.method !== "HEAD") {
          const body = (() => {
            try {
              return JSON.parse(text);
            } catch {
              throw new Error(`${where}: not JSON: ${text.slice(0, 200)}`);
            }
          })();
          expect(Object.keys(body), where).toEqual(["error"]);
          expect(typeof body.error.code, where).toBe("string");
          expect(typeof body.error.message, where).toBe("string");
        }
      } else if (
        init.method !== "HEAD" &&
        res.headers.get("content-type")?.startsWith("application/json")
      ) {
        remember(memory, JSON.parse(text));
      }
      before = after;
      // Keep the store small so fingerprints stay cheap.
      if (i % 500 === 499) {
        await app.queue.purge(["queued", "active", "completed", "failed", "cancelled"]);
        memory.jobs.length = 0;
        memory.cursors.length = 0;
        before = await fingerprint(app.queue);
      }
    }
    // The fuzzer reached both sides: accepted work and each kind of refusal.
    for (const status of [200, 201, 400, 401, 404, 405, 409, 413, 415, 422]) {
      expect(statuses.get(status) ?? 0, `no ${status} seen`).toBeGreaterThan(0);
    }
  }, 60_000);
});
