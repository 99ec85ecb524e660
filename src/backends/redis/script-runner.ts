/**
 * Sends a Lua script with EVALSHA, falling back to EVAL when the server does not have it
 * (first use, or after SCRIPT FLUSH / a failover). EVAL also loads it for the next EVALSHA.
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

  constructor(
    private readonly redis: RedisScriptClient,
    private readonly name: string,
  ) {}

  async run(script: string, args: string[]): Promise<unknown> {
    const sha = await this.#sha(script);
    try {
      try {
        return await this.redis.evalsha(sha, [], args);
      } catch (error) {
        if (!/NOSCRIPT/.test(String((error as Error)?.message))) throw error;
        return await this.redis.eval(script, [], args);
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
