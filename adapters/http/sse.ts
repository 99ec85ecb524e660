/**
 * Server-Sent Events written by hand as a `text/event-stream` Response over a ReadableStream:
 * no `Transfer-Encoding` / `Connection` headers (they break HTTP/2 proxies), `id:` = the job's
 * event sequence (so `Last-Event-ID` resumes exactly), heartbeat comments, and an end after
 * the terminal event or `maxStreamMs`, whichever comes first. If the updates stop before the
 * job finished, a last `retry:` hint invites the client back. A client disconnect aborts the
 * subscription at once.
 */
import { isTerminal } from "../../src/adapter-kit.js";
import type { Clock, JobUpdate } from "../../src/index.js";
import { toHttpError } from "./errors.js";

/** Timing of one stream. */
export interface SseTiming {
  /** Comment line sent this often so proxies keep the connection open. Default 15 s. */
  heartbeatMs: number;
  /** End the stream after this long; the client reconnects with Last-Event-ID. */
  maxStreamMs: number;
  /** Reconnect delay suggested to EventSource clients. */
  retryMs: number;
}

const encoder = new TextEncoder();

/** The headers of a stream (also a HEAD request's answer, which starts none). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

/** One update as an SSE frame. JSON never contains a raw newline, so `data:` is one line. */
export function sseFrame(update: JobUpdate): string {
  return `id: ${update.seq}\nevent: ${update.type}\ndata: ${JSON.stringify(update)}\n\n`;
}

/**
 * Streams `updates(signal)` as SSE; `signal` aborts when the client leaves (the body is
 * cancelled, or the request's own `request` signal aborts) or time is up.
 */
export function sseResponse(
  updates: (signal: AbortSignal) => AsyncIterable<JobUpdate>,
  clock: Clock,
  timing: SseTiming,
  request?: AbortSignal,
): Response {
  const done = new AbortController();
  // Runtimes that drop a body without cancelling it still abort the request's signal.
  if (request?.aborted) done.abort();
  request?.addEventListener("abort", () => done.abort(), { once: true, signal: done.signal });
  let cancelled = false; // the client went away: the stream is already closed
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!done.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      write(`retry: ${timing.retryMs}\n\n`);
      void (async () => {
        while (!done.signal.aborted) {
          await clock.sleep(timing.heartbeatMs, done.signal);
          write(": ping\n\n");
        }
      })();
      void clock.sleep(timing.maxStreamMs, done.signal).then(() => done.abort());
      void (async () => {
        try {
          let last: JobUpdate | undefined;
          for await (const update of updates(done.signal)) {
            write(sseFrame(update));
            last = update;
          }
          // The updates stopped before the job finished (a poll budget ran out): come back.
          if (!last || !isTerminal(last.state)) write(`retry: ${timing.retryMs}\n\n`);
        } catch (error) {
          const { code, message } = toHttpError(error);
          write(`event: error\ndata: ${JSON.stringify({ code, message })}\n\n`);
        } finally {
          done.abort();
          if (!cancelled) controller.close();
        }
      })();
    },
    cancel() {
      cancelled = true;
      done.abort();
    },
  });
  return new Response(body, {
    status: 200,
    headers: SSE_HEADERS,
  });
}
