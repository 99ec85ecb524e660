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
  ValidationError,
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
import { crossSiteGuard } from "./cross-site.js";
import { errorResponse, HttpError } from "./errors.js";
import { ADMIN_VIEW, jobLinks, mountBase, type Visibility } from "./job-view.js";
import { JobWatchers } from "./job-watchers.js";
import { checkedSettings } from "./route-settings.js";
import { StreamTokens } from "./stream-token.js";

export type RouteKit<J extends JobDefinitions> = ReturnType<typeof routeKit<J>>;

export function routeKit<J extends JobDefinitions>(
  queue: JobQueue<J>,
  options: QueueRoutesOptions<J>,
) {
  const auth = assertAuthOptions(options.auth);
  const streamSecret =
    options.streamSecret === false ? undefined : assertSecret(options.streamSecret, "streamSecret");
  // 16+ like the other secrets: the cron route runs jobs. (Vercel's CRON_SECRET is the
  // project's own choice: Vercel asks for 16+ random characters too.)
  const cronSecret = assertSecret(options.cronSecret, "cronSecret");
  if (options.jobs !== undefined && queue.jobs !== undefined) {
    throw new Error("give jobs to the queue only: queueRoutes' own jobs option is deprecated");
  }
  assertJobDefinitions(options.jobs);
  const settings = checkedSettings(options);
  if (options.exposeErrors !== undefined && typeof options.exposeErrors !== "boolean") {
    throw new ValidationError("exposeErrors must be a boolean", "exposeErrors");
  }
  const tokenView: Visibility = { payload: false, errorMessages: options.exposeErrors === true };
  const tokens = streamSecret ? new StreamTokens(streamSecret) : null;
  const crossSite = crossSiteGuard(options.cors);
  const broadcaster = new Broadcaster(queue, { pollMs: settings.pollMs });

  return {
    queue,
    options,
    auth,
    cronSecret,
    timing: settings.timing,
    budgetMs: settings.budgetMs,
    watchers: new JobWatchers(
      broadcaster as unknown as Broadcaster<JobDefinitions>,
      settings.streams,
    ),
    wait: settings.wait,
    admin: adminOnly(auth, crossSite),
    crossSite,
    bodyLimit: bodyLimit({
      maxSize: settings.maxBodyBytes,
      onError: (c) =>
        errorResponse(c, new HttpError(413, "PAYLOAD_TOO_LARGE", "request body too large")),
    }) as MiddlewareHandler,

    /**
     * What the caller may see of this job: everything for an admin; for a valid stream token
     * of this job (`?token=` or bearer), no payload and (unless `exposeErrors`) no error
     * messages. Anyone else: 401.
     */
    async readAccess(c: Context, id: string): Promise<Visibility> {
      if (await isAdmin(c, auth)) return ADMIN_VIEW;
      const token = c.req.query("token") ?? bearerToken(c);
      if (tokens && token && (await tokens.verify(token, queue.name, id, queue.clock.now()))) {
        return tokenView;
      }
      throw unauthorized(token ? "stream token invalid or expired" : undefined);
    },

    /** An enqueue answer: id, links, and the browser's stream token and URL. */
    async created(c: Context, id: string, isNew: boolean) {
      const links = jobLinks(mountBase(c), id);
      if (!tokens) return { id, created: isNew, links };
      const streamToken = await tokens.sign(
        queue.name,
        id,
        queue.clock.now() + settings.tokenTtlMs,
      );
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
