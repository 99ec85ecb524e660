/**
 * The bench Worker (bundled for workerd and run by Miniflare from bench/cloudflare-stores.ts):
 * hosts the queue objects and runs one measurement per request, on the store `store` names:
 *
 * - `GET /throughput?store=…&jobs=2000&batch=100`
 * - `GET /latency?store=…&updates=50&gapMs=20`
 * - `GET /ceiling?store=…&parallel=8&queues=1&ms=2000`
 *
 * Each answers JSON (bench/cloudflare/protocol.ts), or 500 with the error's text.
 */
import { ceiling, latency, type NewBackend, throughput } from "./measures.js";
import { type BenchEnv, WORKER_STORES } from "./stores.js";

export { QueueObject } from "../../src/backends/durable-object/index.js";

/** A positive integer query parameter. */
function count(params: URLSearchParams, name: string): number {
  const value = Number(params.get(name));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** Runs the measurement a request names. */
function measure(url: URL, open: NewBackend): Promise<unknown> {
  const params = url.searchParams;
  switch (url.pathname) {
    case "/throughput":
      return throughput(open, count(params, "jobs"), count(params, "batch"));
    case "/latency":
      return latency(open, count(params, "updates"), count(params, "gapMs"));
    case "/ceiling":
      return ceiling(open, count(params, "parallel"), count(params, "queues"), count(params, "ms"));
    default:
      throw new Error(`no route ${url.pathname}`);
  }
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    const store = WORKER_STORES[url.searchParams.get("store") ?? ""];
    try {
      if (!store) throw new Error(`store must be one of ${Object.keys(WORKER_STORES).join(", ")}`);
      return Response.json(await measure(url, () => store(env)));
    } catch (error) {
      return new Response(error instanceof Error ? (error.stack ?? error.message) : String(error), {
        status: 500,
      });
    }
  },
};
