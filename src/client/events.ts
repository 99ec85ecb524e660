/**
 * A job's event stream as an async iterator over `fetch`, parsed by `eventsource-parser`. It
 * reconnects by itself after a dropped connection or the server's own end of the stream,
 * resuming after the last sequence number it yielded, so it never yields a gap or a repeat,
 * and it ends after the terminal event (or on the server's 204: nothing left to send).
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { isTerminal, type JobUpdate } from "../job.js";
import { isTransient, networkError, QueueClientError } from "./errors.js";
import { jobPath, type Send } from "./http.js";
import type { ReadOptions } from "./types.js";

/** Options of `events()`. */
export interface EventsOptions extends ReadOptions {
  /**
   * Resume after this sequence number (no snapshot: the events after it). Without it the
   * stream starts with a `snapshot` of the job, then every change.
   */
  after?: number | undefined;
  /**
   * Consecutive failed tries (no answer, a 5xx, a broken stream that brought nothing new)
   * before the iterator throws the last failure. Default 5; a try that yields an event resets
   * the count.
   */
  maxFailures?: number | undefined;
  /**
   * Wait before a reconnect until the server's `retry:` hint replaces it (the server sends one
   * first thing); failures back off from it, doubling per failed try, up to 30 s. Default 1 s.
   */
  retryMs?: number | undefined;
  /**
   * Reconnect when nothing at all (not even a heartbeat) arrived for this long. Default 45 s:
   * three of the server's 15 s heartbeats.
   */
  idleTimeoutMs?: number | undefined;
}

/** Longest wait between two tries. */
const MAX_DELAY_MS = 30_000;

/** Waits `ms`, or rejects with the signal's reason when it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** The status the HTTP API gives an error that a stream reported in an `error` event. */
const STREAM_ERROR_STATUS: Record<string, number> = {
  BACKEND_UNAVAILABLE: 503,
  QUEUE_CLOSED: 503,
  JOB_NOT_FOUND: 404,
};

/** An update, or the error the message stands for. */
function decode(message: EventSourceMessage): JobUpdate {
  let data: { code?: unknown; message?: unknown; seq?: unknown };
  try {
    data = JSON.parse(message.data);
  } catch (cause) {
    throw new QueueClientError(200, "BAD_RESPONSE", "an event is not JSON", { cause });
  }
  if (message.event === "error") {
    const code = String(data.code);
    throw new QueueClientError(STREAM_ERROR_STATUS[code] ?? 500, code, String(data.message));
  }
  if (typeof data.seq !== "number") {
    throw new QueueClientError(200, "BAD_RESPONSE", "an event has no sequence number");
  }
  return data as JobUpdate;
}

/** Follows job `id` through `send`; see {@link EventsOptions}. */
export async function* followEvents(
  send: Send,
  id: string,
  options: EventsOptions = {},
): AsyncGenerator<JobUpdate, void, undefined> {
  const { signal, token, maxFailures = 5, idleTimeoutMs = 45_000 } = options;
  let last = options.after ?? -1;
  let resume = options.after !== undefined;
  let retryMs = options.retryMs ?? 1_000;
  let failures = 0;
  for (;;) {
    signal?.throwIfAborted();
    const attempt = new AbortController();
    const abort = () => attempt.abort(signal?.reason);
    signal?.addEventListener("abort", abort, { once: true });
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    // Also cancels the body itself: a custom fetch may not tie its body to the signal.
    attempt.signal.addEventListener("abort", () => reader?.cancel().catch(() => {}));
    let idle: ReturnType<typeof setTimeout> | undefined;
    const watchdog = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () => attempt.abort(new Error(`the stream was silent for ${idleTimeoutMs} ms`)),
        idleTimeoutMs,
      );
    };
    let failure: QueueClientError | undefined;
    try {
      watchdog();
      const response = await send("GET", jobPath(id, "/events"), {
        query: { after: resume ? last : undefined },
        token,
        signal: attempt.signal,
        headers: { accept: "text/event-stream" },
      });
      if (response.status === 204) return; // the terminal event was sent before
      reader = response.body?.getReader();
      if (!reader) throw new QueueClientError(response.status, "BAD_RESPONSE", "no event stream");
      const decoder = new TextDecoder();
      const messages: EventSourceMessage[] = [];
      const parser = createParser({
        onEvent: (message) => messages.push(message),
        onRetry: (ms) => {
          retryMs = ms;
        },
      });
      for (;;) {
        const { value, done } = await reader.read();
        attempt.signal.throwIfAborted();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
        for (const message of messages.splice(0)) {
          const update = decode(message);
          if (update.seq <= last) continue; // sent before a reconnect: already yielded
          last = update.seq;
          resume = true;
          failures = 0;
          clearTimeout(idle); // a slow consumer is not a silent stream
          yield update;
          if (isTerminal(update.state)) return;
        }
        watchdog();
      }
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const cause = attempt.signal.aborted ? attempt.signal.reason : error;
      failure = cause instanceof QueueClientError ? cause : networkError(cause);
      if (!isTransient(failure) || ++failures >= maxFailures) throw failure;
    } finally {
      clearTimeout(idle);
      reader?.cancel().catch(() => {});
      signal?.removeEventListener("abort", abort);
    }
    // A clean end (a time or poll budget, a platform's stream limit): back after the server's
    // hint. A failure: back off, and wait at least as long as a 503's Retry-After says.
    const delay = failure
      ? Math.max(retryMs * 2 ** (failures - 1), (failure.retryAfter ?? 0) * 1_000)
      : retryMs;
    await sleep(Math.min(delay, MAX_DELAY_MS), signal);
  }
}
