/**
 * Upstash's subscribe route for {@link upstashRest}: `POST <url>/subscribe/<channel>` answers
 * Server-Sent Events, `data: subscribe,<channel>,<count>` once and then
 * `data: message,<channel>,<message>` per message. Shaped like `@upstash/redis`' subscriber,
 * so the backend treats both alike; unlike it, a stream that ends is reported as an error, so
 * the backend subscribes again.
 */
import type { UpstashSubscribable } from "./subscribers.js";

type Subscription = ReturnType<UpstashSubscribable["subscribe"]>;
type Listeners = { [type: string]: Array<(value: never) => void> };

/** Opens the channel's event stream at `endpoint` with `token`. */
export function restSubscribe(endpoint: string, token: string, channel: string): Subscription {
  const listeners: Listeners = {};
  const emit = (type: string, value: unknown) => {
    for (const listener of listeners[type] ?? []) (listener as (v: unknown) => void)(value);
  };
  const stop = new AbortController();
  // Each event is one `data: <type>,<channel>,<rest>` line (Upstash sends nothing else), so
  // lines are split here rather than by a general SSE parser, which would weigh more than this
  // whole file in a Worker's bundle.
  const onData = (data: string) => {
    const [type, from, ...rest] = data.split(",");
    if (from !== channel) return;
    if (type === "subscribe") emit("subscribe", Number(rest[0]));
    else if (type === "message") emit("message", { channel, message: rest.join(",") });
  };
  let pending = "";
  const feed = (text: string) => {
    const lines = (pending + text).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("data: ")) onData(line.slice(6).trimEnd());
  };
  const read = async () => {
    const response = await fetch(`${endpoint}/subscribe/${encodeURIComponent(channel)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      body: "[]",
      signal: stop.signal,
    });
    if (!response.ok || !response.body) {
      throw new Error(`subscribe: ${response.status}`);
    }
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      feed(decoder.decode(chunk, { stream: true }));
    }
    throw new Error("subscribe: stream ended");
  };
  read().catch((error: unknown) => {
    if (!stop.signal.aborted) emit("error", error);
  });
  return {
    on: (type: string, listener: (value: never) => void) => {
      listeners[type] = [...(listeners[type] ?? []), listener];
    },
    unsubscribe: async () => stop.abort(),
  } as Subscription;
}
