/** Reads an SSE response with a real parser (eventsource-parser), as a browser would. */
import { createParser, type EventSourceMessage } from "eventsource-parser";

/** One thing the stream said: an event, a comment (heartbeat) or a retry hint. */
export type SseItem =
  | ({ kind: "event" } & EventSourceMessage)
  | { kind: "comment"; text: string }
  | { kind: "retry"; ms: number };

/**
 * Yields what the stream says, in order, until it ends. Breaking out of the loop cancels the
 * response body: the client disconnects.
 */
export async function* readSse(response: Response): AsyncGenerator<SseItem> {
  if (!response.body) throw new Error("response has no body");
  const pending: SseItem[] = [];
  const parser = createParser({
    onEvent: (event) => pending.push({ kind: "event", ...event }),
    onComment: (text) => pending.push({ kind: "comment", text }),
    onRetry: (ms) => pending.push({ kind: "retry", ms }),
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      while (pending.length > 0) yield pending.shift() as SseItem;
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
    while (pending.length > 0) yield pending.shift() as SseItem;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Just the events, parsed: `{ id, event, data }` with `data` as JSON. */
export async function collectEvents(response: Response, stopAfter = Number.POSITIVE_INFINITY) {
  const events: Array<{
    id: string | undefined;
    event: string | undefined;
    data: Record<string, unknown>;
  }> = [];
  for await (const item of readSse(response)) {
    if (item.kind !== "event") continue;
    events.push({ id: item.id, event: item.event, data: JSON.parse(item.data) });
    if (events.length >= stopAfter) break;
  }
  return events;
}
