/**
 * A Redis client over Upstash's REST API with only what the backend sends (EVAL, EVALSHA): a few
 * hundred bytes in a bundle where `@upstash/redis` (every command) weighs about 17 KiB gzip.
 * It speaks as `@upstash/redis` does: base64-encoded replies, read-your-writes sync tokens.
 */
import { ValidationError } from "../../errors.js";
import { requestTimeoutMs, timeoutSignal } from "../../internal/request-timeout.js";
import type { RedisScriptClient } from "./client.js";
import { restSubscribe } from "./rest-subscribe.js";
import type { UpstashSubscribable } from "./subscribers.js";

/** Options for {@link upstashRest}: the database's REST URL and token (Upstash console). */
export interface UpstashRestOptions {
  /** `UPSTASH_REDIS_REST_URL`, e.g. `https://eu1-example.upstash.io`. */
  url: string;
  /** `UPSTASH_REDIS_REST_TOKEN`. */
  token: string;
  /**
   * How long one call may wait for its answer before it fails as `BACKEND_UNAVAILABLE`, in ms
   * (default 10,000; `Infinity`: no limit). The script may still have run: the queue's calls are
   * safe to send again, which workers and the HTTP client do.
   */
  timeoutMs?: number;
}

/** The error of a reply the endpoint sent: `@upstash/redis`' name, which the backend knows. */
class UpstashError extends Error {
  override name = "UpstashError";
}

/** A base64 string of UTF-8 bytes as text; Upstash leaves a plain `OK` unencoded. */
function fromBase64(text: string): string {
  if (text === "OK") return text;
  return new TextDecoder().decode(Uint8Array.from(atob(text), (char) => char.charCodeAt(0)));
}

/** A reply with each string decoded (integers and nulls come as they are). */
function decoded(value: unknown): unknown {
  if (typeof value === "string") return fromBase64(value);
  return Array.isArray(value) ? value.map(decoded) : value;
}

/**
 * A client for `redisBackend({ redis })` over Upstash's REST API: what Workers and Edge functions
 * use in place of `@upstash/redis`, which also fits (and adds every other command). A call is
 * one `fetch`, never retried here: a lost one, or one unanswered after `timeoutMs`, is the
 * queue's `BACKEND_UNAVAILABLE` error, which workers and the HTTP client retry.
 *
 * @example
 * const backend = redisBackend({
 *   redis: upstashRest({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }),
 * });
 */
export function upstashRest(options: UpstashRestOptions): RedisScriptClient {
  const url = options?.url;
  if (typeof url !== "string" || !/^https?:\/\/[^\s/]+/.test(url)) {
    throw new ValidationError("url must be the database's REST URL (https://…)", "url");
  }
  if (typeof options.token !== "string" || options.token.length === 0) {
    throw new ValidationError("token must be the database's REST token", "token");
  }
  const timeoutMs = requestTimeoutMs(options.timeoutMs);
  const endpoint = url.replace(/\/$/, "");
  let syncToken = "";
  const send = async (command: string[]): Promise<unknown> => {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: {
        authorization: `Bearer ${options.token}`,
        "content-type": "application/json",
        "upstash-encoding": "base64",
        "upstash-sync-token": syncToken,
      },
      body: JSON.stringify(command),
      signal: timeoutSignal(timeoutMs),
    });
    const body = JSON.parse(await response.text()) as { result?: unknown; error?: unknown };
    if (typeof body?.error === "string") throw new UpstashError(body.error);
    if (!response.ok || !("result" in body)) {
      throw new Error(`the REST endpoint answered ${response.status} without a result`);
    }
    syncToken = response.headers.get("upstash-sync-token") ?? syncToken;
    return decoded(body.result);
  };
  const call = (name: string, first: string, keys: string[], args: string[]) =>
    send([name, first, String(keys.length), ...keys, ...args]);
  return {
    evalsha: (sha1, keys, args) => call("EVALSHA", sha1, keys, args),
    eval: (script, keys, args) => call("EVAL", script, keys, args),
    subscribe: (channels: string[]) => restSubscribe(endpoint, options.token, channels[0] ?? ""),
  } as RedisScriptClient & UpstashSubscribable;
}
