/**
 * Plain Node: an HTTP server on `@hono/node-server`, in-process drains of the worker at a
 * {@link DrainCadence} (a cron expression via croner, an interval, or a continuous loop), and a
 * graceful shutdown on SIGTERM / SIGINT that stops claiming, lets running jobs finish (or
 * releases them after `graceMs`), then closes the server and the queue. The shutdown reaches
 * every run of the worker: the cadence's drains, the loop, and drains the cron route started.
 *
 * @example
 * const app = new Hono().route("/queue", queueRoutes(queue, { auth, worker }));
 * const running = await serve({ fetch: app.fetch, queue, worker, port: 3000,
 *                               drains: { cron: "*\/10 * * * * *" } });
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve as serveHono } from "@hono/node-server";
import { Cron } from "croner";
import { rateLimitedConsole, type UntypedJobs } from "../src/adapter-kit.js";
import type { DrainSummary, JobDefinitions, JobQueue, Worker } from "../src/index.js";
import { intOption, msOption } from "./http/options.js";
import { sharedDrain } from "./http/shared-drain.js";

/**
 * When the worker drains in this process: on a cron expression (croner syntax, seconds first
 * when 6 fields) or every `everyMs`, each drain lasting up to `budgetMs` (default 25 s); or
 * continuously (`worker.start()`). Not to be confused with a queue's stored schedules
 * (`queue.schedule()`), which any drain materialises.
 */
export type DrainCadence =
  | { cron: string; budgetMs?: number | undefined }
  | { everyMs: number; budgetMs?: number | undefined }
  | { loop: true };

/** Options for {@link serve}. */
export interface ServeOptions<J extends JobDefinitions = UntypedJobs> {
  /** The app's fetch handler, e.g. `app.fetch`. */
  fetch: (request: Request) => Response | Promise<Response>;
  queue: JobQueue<J>;
  worker?: Worker<J> | undefined;
  /**
   * When the worker drains in this process: `{ loop: true }` for a long-running server (jobs
   * start as soon as they are due). Left out, nothing here runs jobs, and a `worker` without
   * `drains` is warned about once, at start; `false` says so on purpose (a platform cron calls
   * the cron route instead).
   */
  drains?: DrainCadence | false | undefined;
  /** Default 3000; 0 picks a free port. */
  port?: number | undefined;
  /** Default 127.0.0.1. Use 0.0.0.0 to listen on every interface. */
  hostname?: string | undefined;
  /**
   * Signals that trigger a graceful shutdown. Default SIGTERM and SIGINT; `false` for none.
   * Repeats while shutting down are ignored (Ctrl-C under `npm start` arrives twice: from the
   * terminal and forwarded by npm); the shutdown itself is bounded by `graceMs`.
   */
  signals?: NodeJS.Signals[] | false | undefined;
  /** Called once when a signal starts the shutdown, with its promise (e.g. to log progress). */
  onSignal?: ((signal: NodeJS.Signals, closing: Promise<void>) => void) | undefined;
  /** Exit the process after a signal-triggered shutdown. Default true. */
  exitOnSignal?: boolean | undefined;
  /**
   * On shutdown, how long running jobs may go on before they are released (the jobs of every
   * drain of the worker, including those the cron route started). Default 10 s.
   */
  graceMs?: number | undefined;
  /**
   * Longest time to receive a request's headers; a slower client is answered 408 and dropped.
   * Default 10 s.
   */
  headersTimeoutMs?: number | undefined;
  /**
   * Longest time to receive a whole request, body included (not the response: streams are not
   * cut). Default 30 s.
   */
  requestTimeoutMs?: number | undefined;
  /** Open connections at most; more are closed at once. Default 1000. */
  maxConnections?: number | undefined;
  /** Called with the summary of each drain of the cadence. */
  onDrain?: ((summary: DrainSummary) => void) | undefined;
  /**
   * Called with errors of the cadence's drains (the cadence keeps going) and of a shutdown.
   * Default: a `console.error` line per code a minute, naming the code only (never the
   * request data a client error may carry).
   */
  onError?: ((error: unknown) => void) | undefined;
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  /** Runs one drain now, as the cadence would (skipped, returning null, if one is running). */
  tick(): Promise<DrainSummary | null>;
  /** Graceful shutdown; idempotent. */
  close(): Promise<void>;
}

/** Said once, when `serve()` starts, if it has a `worker` but no `drains`. */
const NO_DRAINS_WARNING =
  "jdobb-async-queue: serve() has a worker but no drains, so nothing in this process runs jobs unless something calls the cron route (pass drains: { loop: true } for a long-running server, or drains: false if a platform cron calls the route)";

/** Checks the numeric options at startup (a string from an env var, NaN, 0…). */
function serverLimits<J extends JobDefinitions>(options: ServeOptions<J>) {
  const drains = options.drains as { everyMs?: unknown; budgetMs?: unknown } | undefined;
  const headersTimeoutMs = msOption(options.headersTimeoutMs, "headersTimeoutMs", 10_000, {
    min: 100,
  });
  return {
    port: intOption(options.port, "port", { min: 0, max: 65_535 }, 3000),
    headersTimeoutMs,
    requestTimeoutMs: msOption(options.requestTimeoutMs, "requestTimeoutMs", 30_000, {
      min: headersTimeoutMs,
    }),
    maxConnections: intOption(options.maxConnections, "maxConnections", { min: 1, max: 1e6 }, 1000),
    graceMs: msOption(options.graceMs, "graceMs", 10_000, { min: 0 }),
    budgetMs: msOption(drains?.budgetMs, "drains.budgetMs", 25_000),
    everyMs: msOption(drains?.everyMs, "drains.everyMs", 60_000, { min: 100 }),
  };
}

/** Starts the server, then the drains. Rejects (starting nothing) if it cannot listen. */
export async function serve<J extends JobDefinitions>(
  options: ServeOptions<J>,
): Promise<RunningServer> {
  const { queue, worker, drains } = options;
  if (drains && !worker) throw new Error("in-process drains need a worker");
  const limits = serverLimits(options);
  const log = rateLimitedConsole(queue.clock);
  const onError = options.onError ?? ((error: unknown) => log(error, { operation: "serve" }));
  let closing: Promise<void> | null = null;
  let draining: Promise<DrainSummary> | null = null;

  const tick = async (): Promise<DrainSummary | null> => {
    if (!worker || draining || closing) return null;
    const { budgetMs } = limits;
    draining = sharedDrain(worker, { budgetMs });
    try {
      const summary = await draining;
      options.onDrain?.(summary);
      return summary;
    } finally {
      draining = null;
    }
  };
  const safeTick = () => void tick().catch(onError);

  const server = serveHono({
    fetch: options.fetch,
    port: limits.port,
    hostname: options.hostname ?? "127.0.0.1",
    serverOptions: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often those timeouts are checked (Node's default, 30 s, would let a slow client
      // stay up to 30 s past them).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
  }) as Server; // plain HTTP/1.1: we pass no createServer override
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port, address } = server.address() as AddressInfo;
  if (worker && drains === undefined) console.warn(NO_DRAINS_WARNING);

  let stopDrains = () => {};
  if (drains && "cron" in drains) {
    const job = new Cron(drains.cron, { protect: true }, safeTick);
    stopDrains = () => job.stop();
  } else if (drains && "everyMs" in drains) {
    const timer = setInterval(safeTick, limits.everyMs);
    stopDrains = () => clearInterval(timer);
  } else if (drains && "loop" in drains) {
    worker?.start();
  }

  const close = () => {
    closing ??= (async () => {
      stopDrains();
      server.close(); // no new connections; open ones finish below
      try {
        // Stops every drain of the worker (the cadence's and the cron route's) and the loop.
        await worker?.stop({ graceMs: limits.graceMs });
        await Promise.allSettled([draining]);
        server.closeAllConnections(); // ends SSE streams: clients resume elsewhere
        await queue.close();
      } finally {
        for (const signal of signals) process.off(signal, onSignal);
      }
    })();
    return closing;
  };

  // `on`, not `once`: a repeat must not fall back to the default action (killing the process).
  const signals = options.signals === false ? [] : (options.signals ?? ["SIGTERM", "SIGINT"]);
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing !== null) return;
    const closed = close();
    options.onSignal?.(signal, closed);
    const exit = (code: number) => options.exitOnSignal !== false && process.exit(code);
    void closed.then(
      () => exit(0),
      (error: unknown) => {
        onError(error);
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return {
    url: `http://${address.includes(":") ? `[${address}]` : address}:${port}`,
    port,
    tick,
    close,
  };
}
