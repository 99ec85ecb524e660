import { describe, expect, it } from "vitest";
import { scriptError } from "../../src/backends/redis/script-runner.js";

/** An error as a client raises it: its class name and message. */
const raised = (name: string, message: string) => Object.assign(new Error(message), { name });

describe("Redis script errors, by where they came from", () => {
  it.each([
    ["no reply (Node)", raised("TypeError", "fetch failed"), "BACKEND_UNAVAILABLE"],
    ["no reply (workerd)", raised("Error", "Network connection lost."), "BACKEND_UNAVAILABLE"],
    [
      "no reply (DNS in workerd)",
      raised("Error", "internal error; reference=abc"),
      "BACKEND_UNAVAILABLE",
    ],
    ["a garbled body", raised("UpstashJSONParseError", "<html>502</html>"), "BACKEND_UNAVAILABLE"],
    [
      "Redis busy",
      raised("ReplyError", "BUSY Redis is busy running a script"),
      "BACKEND_UNAVAILABLE",
    ],
    [
      "Redis loading",
      raised("UpstashError", "LOADING Redis is loading, command was: [...]"),
      "BACKEND_UNAVAILABLE",
    ],
    [
      "an endpoint that lost its Redis",
      raised("UpstashError", "Command failed: Reached the max retries per request limit"),
      "BACKEND_UNAVAILABLE",
    ],
    [
      "an auth layer",
      raised("UpstashError", "Unauthorized, command was: [...]"),
      "BACKEND_UNAVAILABLE",
    ],
    ["a script error", raised("ReplyError", "ERR user_script:1: bad"), "BACKEND_ERROR"],
    [
      "a conflict",
      raised("UpstashError", 'ERR job id conflict, command was: ["evalsha"]'),
      "BACKEND_ERROR",
    ],
  ])("%s", (_, error, code) => {
    const mapped = scriptError("redis(test)", error);
    expect(mapped.code).toBe(code);
    expect(mapped.message).not.toContain("command was");
  });
});
