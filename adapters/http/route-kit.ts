/**
 * What every route group shares, built once from the queue and the routes' options: access
 * checks, the body limit, the broadcaster, and the shapes of enqueue answers. Invalid options
 * throw here, at startup.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { assertJobDefinitions } from "../../src/adapter-kit.js";
import {
  Broadcaster,
  type JobDefinitions,
  JobNotFoundError,
  type JobQueue,
} from "../../src/index.js";
import type { QueueRoutesOptions } from "../hono.js";
import {
  adminOnly,
  assertAuthOptions,
  assertSecret,
  bearerToken,
  isAdmin,
  unauthorized,
} from "./auth.js";
import { errorResponse, HttpError } from "./errors.js";
import { jobLinks, routesBase } from "./job-view.js";
import type { SseTiming } from "./sse.js";
import { StreamTokens } from "./stream-token.js";

const DEFAULT_TIMING: SseTiming = { heartbeatMs: 15_000, maxStreamMs: 300_000, retryMs: 2_000 };

export type RouteKit<J extends JobDefinitions> = ReturnType<typeof routeKit<J>>;

export function routeKit<J extends JobDefinitions>(
  queue: JobQueue<J>,
  options: QueueRoutesOptions<J>,
) {
  const auth = assertAuthOptions(options.auth);
  const streamSecret = assertSecret(options.streamSecret, "streamSecret");
  // Any length: the platform may choose it (Vercel's CRON_SECRET); only empty is refused.
  const cronSecret = assertSecret(options.cronSecret, "cronSecret", 1);
  if (options.jobs !== undefined && queue.jobs !== undefined) {
    throw new Error("give jobs to the queue only: queueRoutes' own jobs option is deprecated");
  }
  assertJobDefinitions(options.jobs);
  const maxStorePolls = options.sse?.maxStorePolls;
  if (maxStorePolls !== undefined && !(Number.isInteger(maxStorePolls) && maxStorePolls >= 1)) {
    throw new Error("sse.maxStorePolls must be a positive integer");
  }
  const tokens = streamSecret ? new StreamTokens(streamSecret) : null;
  const tokenTtlMs = options.streamTokenTtlMs ?? 3_600_000;

  return {
    queue,
    options,
    auth,
    cronSecret,
    maxStorePolls,
    timing: { ...DEFAULT_TIMING, ...options.sse } as SseTiming,
    broadcaster: new Broadcaster(queue, { pollMs: options.sse?.pollMs }),
    wait: { fallback: options.waitMs?.default ?? 25_000, max: options.waitMs?.max ?? 25_000 },
    admin: adminOnly(auth),
    bodyLimit: bodyLimit({
      maxSize: options.maxBodyBytes ?? 1_000_000,
      onError: (c) =>
        errorResponse(c, new HttpError(413, "PAYLOAD_TOO_LARGE", "request body too large")),
    }) as MiddlewareHandler,

    /** Admin, or a valid stream token for this job (`?token=` or bearer). */
    async readAccess(c: Context, id: string): Promise<"admin" | "token"> {
      if (await isAdmin(c, auth)) return "admin";
      const token = c.req.query("token") ?? bearerToken(c);
      if (tokens && token && (await tokens.verify(token, queue.name, id, queue.clock.now()))) {
        return "token";
      }
      throw unauthorized(token ? "stream token invalid or expired" : undefined);
    },

    /** An enqueue answer: id, links, and the browser's stream token and URL. */
    async created(c: Context, id: string, isNew: boolean) {
      const links = jobLinks(routesBase(c.req.path), id);
      if (!tokens) return { id, created: isNew, links };
      const streamToken = await tokens.sign(queue.name, id, queue.clock.now() + tokenTtlMs);
      const streamUrl = `${links.events}?token=${encodeURIComponent(streamToken)}`;
      return { id, created: isNew, links, streamToken, streamUrl };
    },

    async getJob(id: string) {
      const job = await queue.get(id);
      if (!job) throw new JobNotFoundError(id);
      return job;
    },
  };
}
