/**
 * `npm start`: the HTTP API on plain Node, on an embedded libSQL file (Redis when
 * UPSTASH_REDIS_REST_URL or REDIS_URL is set), and a browser page at /. On start it enqueues one
 * sample job through its own API and prints that job's SSE stream, then stays up for curl and
 * the browser. Ctrl-C or SIGTERM stops it gracefully: running jobs get 5 s to finish, then go
 * back to the queue.
 *
 * Env: PORT (default 3000), API_TOKEN (default: a fresh random one, printed), STREAM_SECRET
 * (signs stream URLs; default a fresh random one, so URLs die with the process), LIBSQL_URL.
 */
import { randomBytes } from "node:crypto";
import { createParser } from "eventsource-parser";
import { serve } from "../../adapters/node.js";
import { cron } from "../../src/cron.js";
import { JobQueue, Worker } from "../../src/index.js";
import { optionalSecret } from "../shared/env.js";
import { demoApp } from "./app.js";
import { backendFromEnv } from "./backend-from-env.js";
import { registerDemoHandlers, runningJobs } from "./jobs.js";

const GRACE_MS = 5_000;
const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};

/** An optional secret from the environment; set but too short: one line, exit 1. */
const secret = (name: string): string | undefined => {
  try {
    return optionalSecret(name, process.env[name]);
  } catch (error) {
    return fail((error as Error).message);
  }
};

const token = secret("API_TOKEN") ?? randomBytes(18).toString("base64url");
const streamSecret = secret("STREAM_SECRET") ?? randomBytes(32).toString("base64url");
const port = Number(process.env.PORT ?? 3000);
const { backend, label } = backendFromEnv();
const queue = new JobQueue({ backend, cron, name: "demo" }); // cron: for the nightly schedule
const worker = registerDemoHandlers(new Worker(queue, { concurrency: 4 }), queue);

const app = demoApp({ queue, worker, token, streamSecret });

let stopping = false;
const running = await serve({
  fetch: app.fetch,
  queue,
  worker,
  drains: { loop: true },
  port,
  graceMs: GRACE_MS,
  onSignal: (signal, closing) => {
    stopping = true;
    const n = runningJobs();
    const jobs =
      n === 0
        ? "no jobs running"
        : `${n === 1 ? "1 running job has" : `${n} running jobs have`} ${GRACE_MS / 1000} s to finish, then go back to the queue`;
    console.log(`\nshutting down (${signal}): ${jobs}…`);
    void closing.then(() => console.log("stopped"));
  },
}).catch((error: { code?: string }) =>
  error?.code === "EADDRINUSE"
    ? fail(
        `port ${port} is already in use (another npm start?): stop it, or set PORT, e.g. PORT=${port + 1} npm start`,
      )
    : Promise.reject(error),
);
const api = `${running.url}/queue`;
// A recurring job, so the dashboard's Schedules panel has something to show: a nightly resize.
// Saving it again on every start keeps its ticks (a tick missed while the demo was down runs
// once, at the next claim).
await queue.schedule("nightly-resize", {
  cron: "0 3 * * *",
  type: "resize",
  payload: { image: "nightly.png", tiles: 2 },
});

console.log(`jdobb-async-queue demo on ${running.url} (${label})

  Open ${running.url}/ in a browser: it enqueues a job and follows it over SSE.
  Dashboard: ${api}/dashboard (sign in with the token below); it lists the demo's one
  schedule, "nightly-resize" (03:00 UTC every day).

  export API=${api} TOKEN=${token}
  # enqueue a job (the answer has its id and a browser-safe streamUrl)
  curl -s -X POST $API/jobs -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
       -d '{"type":"resize","payload":{"image":"cat.png","tiles":5}}'
  # follow its progress (resumable: add -H 'Last-Event-ID: 3' to resume after event 3)
  curl -N $API/jobs/<id>/events -H "authorization: Bearer $TOKEN"
  # wait for the result, list, count
  curl -s "$API/jobs/<id>/result?waitMs=20000" -H "authorization: Bearer $TOKEN"
  curl -s "$API/jobs?state=completed" -H "authorization: Bearer $TOKEN"
  curl -s $API/stats -H "authorization: Bearer $TOKEN"
${process.env.STREAM_SECRET ? "" : "\n  (STREAM_SECRET is not set: stream URLs and tokens, and the page's stream, stop working after a\n  restart. Set it to 16+ characters to keep them.)\n"}
A sample job, enqueued through the API and followed over SSE:
`);

/** Enqueues one job through the API and prints its SSE stream until the job ends. */
async function followSampleJob(): Promise<void> {
  const created = await fetch(`${api}/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ type: "resize", payload: { image: "sample.png", tiles: 4 } }),
  });
  const { id, streamUrl } = (await created.json()) as { id: string; streamUrl: string };
  console.log(`  POST /queue/jobs → ${created.status} ${id}`);
  const stream = await fetch(`${running.url}${streamUrl}`);
  const parser = createParser({
    onEvent: ({ id: seq, event, data }) => {
      const u = JSON.parse(data) as {
        state: string;
        progress: number;
        message: string | null;
        result: unknown;
      };
      const detail = u.result ? `result ${JSON.stringify(u.result)}` : (u.message ?? "");
      console.log(
        `  id: ${seq}  ${String(event).padEnd(9)} ${u.state.padEnd(9)} ${String(Math.round(u.progress * 100)).padStart(3)}%  ${detail}`,
      );
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of stream.body ?? []) parser.feed(decoder.decode(chunk, { stream: true }));
}

try {
  await followSampleJob();
  if (!stopping) console.log("\nThe server keeps running for your curl commands. Ctrl-C stops it.");
} catch (error) {
  if (!stopping) throw error; // else the shutdown cut the sample short
}
