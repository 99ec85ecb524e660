/** The JSON shapes the HTTP API returns for jobs. */
import type { Job } from "../../src/index.js";

/** Where a job's routes live, relative to the queue routes' mount point. */
export function jobLinks(base: string, id: string) {
  const self = `${base}/jobs/${encodeURIComponent(id)}`;
  return {
    self,
    events: `${self}/events`,
    result: `${self}/result`,
    cancel: `${self}/cancel`,
  };
}

/**
 * A job's public status. The payload is included only for admin callers: stream tokens are
 * handed to browsers, and a payload may hold things a browser should not see.
 */
export function jobView(job: Job, base: string, withPayload: boolean) {
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    progress: job.progress,
    message: job.message,
    data: job.data,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    runAt: job.runAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    seq: job.seq,
    result: job.result,
    error: job.error,
    ...(withPayload ? { payload: job.payload } : {}),
    links: jobLinks(base, job.id),
  };
}

/** The mount point of the queue routes, from a request path that contains `/jobs` or `/cron`. */
export function routesBase(path: string): string {
  const at = path.search(/\/(jobs|stats|cron)(\/|$)/);
  return at >= 0 ? path.slice(0, at) : "";
}
