/**
 * Sends a Lua script with EVALSHA, falling back to EVAL when the server does not have it
 * (after SCRIPT FLUSH, a restart or a failover). The first call of each script in a process
 * goes straight to EVAL, which also loads it: so every operation is exactly one round trip,
 * even on a cold start, and a NOSCRIPT miss costs a second one only after a flush.
 */
import type { QueueError } from "../../errors.js";
import { briefly, describe, refused, unavailable } from "../../internal/store-errors.js";
import type { RedisScriptClient } from "./client.js";

const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Classes of the errors a client raises for a reply the server sent (ioredis' `ReplyError`,
 * `@upstash/redis`' `UpstashError`). Anything else means the call got no reply: refused,
 * reset, timed out, a failed DNS lookup, a garbled body — however the runtime words it.
 */
const REPLY_ERRORS = new Set(["ReplyError", "UpstashError"]);
/** Error codes of a Redis server that cannot serve right now: worth retrying later. */
const BUSY_CODES = new Set([
  "BUSY",
  "LOADING",
  "MASTERDOWN",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "READONLY",
]);
/** `@upstash/redis` appends the whole command, payload included, after this. */
const UPSTASH_COMMAND_SUFFIX = ", command was:";

/**
 * The error the public API throws for a failed script call. A reply Redis itself sent starts
 * with an error code in capitals (`ERR …`, `NOSCRIPT …`, `BUSY …`); a reply without one came
 * from something between us and Redis (a REST endpoint that lost its Redis, an auth layer)
 * and, like no reply at all, means the store is unavailable for now.
 */
export function scriptError(backend: string, error: unknown): QueueError {
  if (!REPLY_ERRORS.has((error as Error)?.name)) return unavailable(backend, describe(error));
  const reply = briefly(error, UPSTASH_COMMAND_SUFFIX).replace(/^Command failed:\s*/, "");
  const code = /^([A-Z][A-Z_]+)\b/.exec(reply)?.[1];
  if (!code || BUSY_CODES.has(code)) return unavailable(backend, reply);
  return refused(backend, reply);
}

export class ScriptRunner {
  readonly #shas = new Map<string, Promise<string>>();
  /** Scripts this process has sent with EVAL at least once. */
  readonly #loaded = new Set<string>();

  constructor(
    private readonly redis: RedisScriptClient,
    private readonly name: string,
  ) {}

  /** Runs `script`; `keys` route the call (on a cluster, to the slot of the queue's keys). */
  async run(script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      if (!this.#loaded.has(script)) {
        const reply = await this.redis.eval(script, keys, args);
        this.#loaded.add(script);
        return reply;
      }
      try {
        return await this.redis.evalsha(await this.#sha(script), keys, args);
      } catch (error) {
        if (!/NOSCRIPT/.test(String((error as Error)?.message))) throw error;
        return await this.redis.eval(script, keys, args);
      }
    } catch (error) {
      throw scriptError(this.name, error);
    }
  }

  #sha(script: string): Promise<string> {
    let sha = this.#shas.get(script);
    if (!sha) {
      sha = crypto.subtle.digest("SHA-1", new TextEncoder().encode(script)).then(hex);
      this.#shas.set(script, sha);
    }
    return sha;
  }
}
