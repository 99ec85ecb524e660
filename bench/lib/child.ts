/**
 * A measurement in a fresh child process: the parent forks a script with one JSON argument,
 * answers its requests for the servers' counters over IPC (only the parent talks to the servers
 * process), and reads the result the child prints as the last line of its stdout.
 */
import { fork } from "node:child_process";
import type { Counts } from "./servers.js";

interface CountsRequest {
  id: number;
  cmd: "counts";
}

/**
 * Runs `script` (a .ts file, through tsx) with `input` and resolves with the JSON the child
 * printed last; rejects if it exits non-zero. `counts` answers the child's {@link parentCounts}.
 */
export function runChild<T>(
  script: URL,
  input: unknown,
  counts: () => Promise<Counts>,
): Promise<T> {
  const child = fork(script.pathname, [JSON.stringify(input)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  let stdout = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.on("message", async (message: CountsRequest) => {
    if (message.cmd === "counts") child.send({ id: message.id, counts: await counts() });
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code !== 0) reject(new Error(`${script.pathname} exited ${code}: ${stdout}`));
      else resolve(JSON.parse(last) as T);
    });
  });
}

/** In the child: the input the parent passed to {@link runChild}. */
export function childInput<T>(): T {
  return JSON.parse(process.argv[2] ?? "null") as T;
}

let nextId = 0;

/** In the child: the servers' counters, fetched through the parent. */
export function parentCounts(): Promise<Counts> {
  const id = nextId++;
  return new Promise((resolve) => {
    const listener = (message: { id: number; counts: Counts }) => {
      if (message.id !== id) return;
      process.off("message", listener);
      resolve(message.counts);
    };
    process.on("message", listener);
    process.send?.({ id, cmd: "counts" } satisfies CountsRequest);
  });
}

/** In the child: prints `result` as the last line of stdout and exits (open handles or not). */
export function finish(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
