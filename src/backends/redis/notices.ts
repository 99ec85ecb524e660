/**
 * Pushed notices (feature `push`): scripts PUBLISH `<seq>:<id>` on the queue's channel when
 * they append an event to a watched job (see WATCH in scripts.ts). A {@link NoticeHub} keeps
 * one subscription per channel and process (per watch on Workers), opened on the first watch
 * and closed with the last, and fans notices out to the watchers of each job. No watch, no
 * subscription.
 */

/** What a subscription reports. */
export interface ChannelHandlers {
  /** A message published on the channel. */
  message(text: string): void;
  /** The subscription came back after a drop: messages may have been missed. */
  reset(): void;
}

/**
 * Subscribes to one channel: resolves once subscribed (rejects if refused); the function it
 * resolves to unsubscribes and releases the connection.
 */
export type ChannelSubscriber = (channel: string, handlers: ChannelHandlers) => Promise<() => void>;

/**
 * Workers forbid a request to read a stream another request opened, and an isolate serves many
 * requests: there each watch subscribes on its own (a stream's watch lives in its request).
 */
const SHARED =
  (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent !==
  "Cloudflare-Workers";

/** How long a subscription may take to start before the watch falls back to polling. */
const SUBSCRIBE_TIMEOUT_MS = 5_000;

/** One channel's subscription and the watchers of each job on it. */
class Channel {
  readonly watchers = new Map<string, Set<() => void>>();
  readonly ready: Promise<() => void>;

  constructor(subscribe: ChannelSubscriber, name: string) {
    const subscribed = subscribe(name, {
      message: (text) => {
        const id = text.slice(text.indexOf(":") + 1);
        for (const notice of this.watchers.get(id) ?? []) notice();
      },
      reset: () => {
        for (const set of this.watchers.values()) for (const notice of set) notice();
      },
    });
    this.ready = withTimeout(subscribed, SUBSCRIBE_TIMEOUT_MS, name);
  }

  add(id: string, notice: () => void): void {
    const set = this.watchers.get(id) ?? new Set();
    this.watchers.set(id, set);
    set.add(notice);
  }

  /** Removes a watcher; says whether the channel has none left. */
  remove(id: string, notice: () => void): boolean {
    const set = this.watchers.get(id);
    set?.delete(notice);
    if (set?.size === 0) this.watchers.delete(id);
    return this.watchers.size === 0;
  }
}

/** The subscriptions of one backend object, shared by all its watches. */
export class NoticeHub {
  readonly #channels = new Map<string, Channel>();

  constructor(private readonly subscribe: ChannelSubscriber) {}

  /**
   * Calls `notice` for each message about job `id` on `channel` until `signal` aborts. Resolves
   * once the channel is subscribed; rejects (and forgets the watch) if it cannot be.
   */
  async listen(channel: string, id: string, notice: () => void, signal: AbortSignal) {
    let open = SHARED ? this.#channels.get(channel) : undefined;
    if (!open) {
      open = new Channel(this.subscribe, channel);
      if (SHARED) this.#channels.set(channel, open);
    }
    const joined = open;
    joined.add(id, notice);
    const leave = () => {
      if (!joined.remove(id, notice)) return;
      if (this.#channels.get(channel) === joined) this.#channels.delete(channel);
      joined.ready.then((close) => close()).catch(() => {});
    };
    signal.addEventListener("abort", leave, { once: true });
    try {
      await joined.ready;
    } catch (error) {
      if (this.#channels.get(channel) === joined) this.#channels.delete(channel);
      signal.removeEventListener("abort", leave);
      joined.remove(id, notice);
      throw error;
    }
  }
}

/** `promise`, or a rejection after `ms` (a late subscription is then closed at once). */
function withTimeout(promise: Promise<() => void>, ms: number, channel: string) {
  return new Promise<() => void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`subscribe timed out: ${channel}`));
      promise.then((close) => close()).catch(() => {});
    }, ms);
    promise.then(
      (close) => {
        clearTimeout(timer);
        resolve(close);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
