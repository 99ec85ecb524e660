/**
 * Sends a Lua script with EVALSHA, falling back to EVAL when the server does not have it
 * (after SCRIPT FLUSH, a restart or a failover). The first call of each script in a process
 * goes straight to EVAL, which also loads it: so every operation is exactly one round trip,
 * even on a cold start, and a NOSCRIPT miss costs a second one only after a flush.
 */
import { BackendUnavailableError } from "../../errors.js";
import type { RedisScriptClient } from "./client.js";

const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** Errors that mean "the store is unreachable or busy", worth retrying later. */
const UNAVAILABLE =
  /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|MaxRetriesPerRequest|^BUSY|^LOADING|^MASTERDOWN|status (5\d\d)|Unable to parse response/i;

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
      const message = String((error as Error)?.message ?? error);
      if (error instanceof TypeError || UNAVAILABLE.test(message)) {
        throw new BackendUnavailableError(`${this.name}: ${message}`, { cause: error });
      }
      throw error;
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
