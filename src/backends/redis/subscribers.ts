/**
 * The two ways a Redis backend subscribes to its notice channel (see notices.ts): a dedicated
 * ioredis connection over TCP, or `@upstash/redis`' `subscribe` (Server-Sent Events over the
 * REST API). Both are typed structurally, so neither client is imported here.
 */
import type { ChannelSubscriber } from "./notices.js";

/** The ioredis methods a subscriber connection uses (a `duplicate()` of the user's client). */
export interface IoredisSubscriberLike {
  subscribe(channel: string): Promise<unknown>;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  on(event: "ready" | "error", listener: (arg?: unknown) => void): unknown;
  disconnect(): void;
}

/** A subscription made by `@upstash/redis`' `subscribe`. */
interface UpstashSubscription {
  on(type: "message", listener: (event: { channel: string; message: unknown }) => void): void;
  on(type: "subscribe", listener: (count: number) => void): void;
  on(type: "error", listener: (error: Error) => void): void;
  unsubscribe(): Promise<void>;
}

/** An `@upstash/redis` client (only its `subscribe`). */
export interface UpstashSubscribable {
  subscribe(channels: string[]): UpstashSubscription;
}

/** Waits before subscribing again after a REST subscription failed: 0.5 s doubling to 30 s. */
const RETRY_MS = { first: 500, max: 30_000 };

/**
 * Over TCP: one dedicated connection per channel. ioredis reconnects and subscribes again by
 * itself; each time it is back, the watchers are told to read (a notice may have been lost).
 */
export function ioredisSubscriber(connect: () => IoredisSubscriberLike): ChannelSubscriber {
  return async (channel, handlers) => {
    const connection = connect();
    let subscribed = false;
    connection.on("message", (from, message) => {
      if (from === channel) handlers.message(message);
    });
    connection.on("ready", () => {
      // Back after a drop: subscribed again (ioredis does it too; a repeat is harmless), then
      // the watchers read what they may have missed.
      if (subscribed) void connection.subscribe(channel).then(handlers.reset, () => {});
    });
    connection.on("error", () => {}); // ioredis retries by itself; watchers keep a safety poll
    try {
      await connection.subscribe(channel);
    } catch (error) {
      connection.disconnect();
      throw error;
    }
    subscribed = true;
    return () => connection.disconnect();
  };
}

/**
 * Over REST: `@upstash/redis`' `subscribe`. A failed stream is opened again with backoff, and
 * the watchers are told to read once it is back.
 */
export function upstashSubscriber(client: UpstashSubscribable): ChannelSubscriber {
  return (channel, handlers) =>
    new Promise((resolve, reject) => {
      let closed = false;
      let started = false;
      let current: UpstashSubscription | null = null;
      let retryMs = RETRY_MS.first;
      let retry: ReturnType<typeof setTimeout> | undefined;
      const close = () => {
        closed = true;
        clearTimeout(retry);
        void current?.unsubscribe().catch(() => {});
      };
      const open = () => {
        const subscription = client.subscribe([channel]);
        current = subscription;
        subscription.on("subscribe", () => {
          retryMs = RETRY_MS.first;
          if (started) return handlers.reset();
          started = true;
          resolve(close);
        });
        subscription.on("message", ({ message }) => handlers.message(String(message)));
        subscription.on("error", (error) => {
          if (closed || current !== subscription) return;
          if (!started) {
            close();
            return reject(error);
          }
          void subscription.unsubscribe().catch(() => {});
          retry = setTimeout(open, retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MS.max);
        });
      };
      open();
    });
}
