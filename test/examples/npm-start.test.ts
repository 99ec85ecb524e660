/**
 * `npm start` as a user runs it: the real npm, the real demo server, signals from outside.
 * Every wait is bounded; the process group is killed on the way out whatever happened.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp-dir.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const READY = /demo on http:\/\/127\.0\.0\.1:(\d+)/;
const READY_URL = /demo on (http:\/\/127\.0\.0\.1:\d+)/;
/** The sample job's first progress event: it has three 400 ms steps to go. */
const SAMPLE_RUNNING = /tile 1\/4/;

interface Started {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal); rejects after `ms`. */
  exited(ms: number): Promise<number | NodeJS.Signals>;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function npmStart(env: Record<string, string>): Started {
  const dir = tempDir();
  const { REDIS_URL, UPSTASH_REDIS_REST_URL, ...inherited } = process.env;
  const child = spawn("npm", ["start"], {
    cwd: ROOT,
    // Its own process group, so a test can send what Ctrl-C sends: a signal to the group.
    detached: true,
    env: {
      ...inherited,
      LIBSQL_URL: `file:${dir.path}/demo.db`,
      API_TOKEN: "npm-start-token-0123456789",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exit = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {} // already gone
    }
    dir.remove();
  });
  const bounded = <T>(promise: Promise<T>, ms: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms waiting for ${what}; output:\n${text}`)),
        ms,
      );
      promise.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  return {
    child,
    output: () => text,
    waitFor: (pattern, ms) =>
      bounded(
        new Promise((resolve) => {
          const check = () => {
            const match = text.match(pattern);
            if (!match) return;
            listeners.delete(check);
            resolve(match);
          };
          listeners.add(check);
          check();
        }),
        ms,
        String(pattern),
      ),
    exited: (ms) => bounded(exit, ms, "the process to exit"),
  };
}

/** Resolves true if `port` can be listened on (nothing holds it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("npm start", () => {
  it("stops cleanly on SIGTERM to the npm process: says so, exits, frees the port", async () => {
    const run = npmStart({ PORT: "0" });
    const [, port] = await run.waitFor(READY, 30_000);
    await run.waitFor(SAMPLE_RUNNING, 30_000);
    run.child.kill("SIGTERM"); // npm only, as a process manager would send it
    expect(await run.exited(15_000)).toBe(0);
    expect(run.output()).toMatch(/shutting down \(SIGTERM\): 1 running job has 5 s to finish/);
    expect(run.output()).toMatch(/^stopped$/m);
    expect(await portIsFree(Number(port))).toBe(true);
  }, 60_000);

  it("stops cleanly on Ctrl-C (SIGINT to the process group), even when it comes twice", async () => {
    const run = npmStart({ PORT: "0" });
    const [, port] = await run.waitFor(READY, 30_000);
    await run.waitFor(SAMPLE_RUNNING, 30_000);
    const group = -(run.child.pid as number);
    process.kill(group, "SIGINT");
    await run.waitFor(/shutting down \(SIGINT\): 1 running job/, 10_000);
    // Again while the sample job finishes (a second Ctrl-C, or npm's forward arriving late):
    // it must not fall back to the default action and kill the server mid-shutdown.
    process.kill(group, "SIGINT");
    expect(await run.exited(15_000)).toBe(0);
    expect(run.output()).toMatch(/^stopped$/m);
    expect(await portIsFree(Number(port))).toBe(true);
  }, 60_000);

  it("with STREAM_SECRET set, a stream URL handed out before a restart works after it", async () => {
    const dir = tempDir();
    cleanups.push(() => dir.remove());
    const env = {
      PORT: "0",
      LIBSQL_URL: `file:${dir.path}/demo.db`,
      STREAM_SECRET: "npm-start-stream-secret-0123456789",
    };
    const first = npmStart(env);
    const [, url] = await first.waitFor(READY_URL, 30_000);
    const created = await fetch(`${url}/demo/jobs`, { method: "POST" });
    const { streamUrl } = (await created.json()) as { streamUrl: string };
    first.child.kill("SIGTERM");
    expect(await first.exited(15_000)).toBe(0);
    expect(first.output()).not.toMatch(/STREAM_SECRET is not set/);

    const second = npmStart(env);
    const [, again] = await second.waitFor(READY_URL, 30_000);
    const stream = await fetch(`${again}${streamUrl}`, { signal: AbortSignal.timeout(10_000) });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await stream.body?.cancel();
  }, 90_000);

  it("on a busy port, says so in one line naming the port and PORT, and exits 1", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => taken.close());
    const { port } = taken.address() as { port: number };
    const run = npmStart({ PORT: String(port) });
    expect(await run.exited(30_000)).toBe(1);
    // npm's own header ("> jdobb-async-queue@… start", "> node …") aside, one line.
    const lines = run
      .output()
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("> "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(String(port));
    expect(lines[0]).toContain("PORT");
    expect(run.output()).not.toMatch(/\n\s+at /); // no stack trace
  }, 60_000);
});
