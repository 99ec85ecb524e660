/**
 * `node --import tsx scripts/d1-stream-cost.ts [--seconds 60]`
 *
 * What following a job's progress costs on D1 (miniflare): two Broadcasters (default polling:
 * 100 ms, ×1.5 a quiet poll, up to 2 s) follow one job each for `--seconds`, from their own
 * backend over a binding that counts the calls and sums D1's `meta.rows_read`. One job stays
 * quiet (claimed, never updated), the other gets a progress update every second from another
 * queue object (as a worker in another isolate would). Prints, per follower, the store calls
 * by kind, the rows D1 reports read, and both per minute. See docs/backends.md#d1.
 */
import { parseArgs } from "node:util";
import type { D1DatabaseLike, D1PreparedStatementLike } from "../src/backends/d1/index.js";
import { d1Backend } from "../src/backends/d1/index.js";
import { Broadcaster } from "../src/broadcaster.js";
import { JobQueue } from "../src/queue.js";
import { startMiniflareD1 } from "../test/support/miniflare-d1.js";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "60" } } });
const seconds = Number(values.seconds);

/** Store calls and rows read, by the kind of statement. */
type Tally = Map<string, { calls: number; rowsRead: number }>;

/** The statement's kind, from its text (the follower only reads). */
const kindOf = (sql: string) =>
  sql.startsWith("SELECT e.*") ? "readEvents" : sql.startsWith("SELECT *") ? "get" : "other";

/** `db`, counting each `.all()` and the rows D1 says it read. */
function counting(db: D1DatabaseLike, tally: Tally): D1DatabaseLike {
  const inner = new WeakMap<D1PreparedStatementLike, D1PreparedStatementLike>();
  const wrap = (sql: string, statement: D1PreparedStatementLike): D1PreparedStatementLike => {
    const wrapped: D1PreparedStatementLike = {
      bind: (...args) => wrap(sql, statement.bind(...args)),
      all: async () => {
        const result = await statement.all();
        const entry = tally.get(kindOf(sql)) ?? { calls: 0, rowsRead: 0 };
        const meta = (result as { meta?: { rows_read?: number } }).meta;
        entry.calls += 1;
        entry.rowsRead += meta?.rows_read ?? 0;
        tally.set(kindOf(sql), entry);
        return result;
      },
    };
    inner.set(wrapped, statement);
    return wrapped;
  };
  return {
    prepare: (sql) => wrap(sql, db.prepare(sql)),
    batch: (statements) => db.batch(statements.map((s) => inner.get(s) ?? s)),
  };
}

const d1 = await startMiniflareD1();
const writer = new JobQueue({ backend: d1Backend(d1.db), name: "stream-cost" });
await writer.enqueueMany([
  { type: "quiet", payload: {} },
  { type: "busy", payload: {} },
]);
const [quiet, busy] = await writer.claimMany(2, { leaseMs: (seconds + 60) * 1000 });
if (!quiet || !busy) throw new Error("claimed fewer than two jobs");

const stop = new AbortController();
async function follow(jobId: string) {
  const tally: Tally = new Map();
  const queue = new JobQueue({ backend: d1Backend(counting(d1.db, tally)), name: writer.name });
  let updates = 0;
  try {
    for await (const _ of new Broadcaster(queue).subscribe(jobId, { signal: stop.signal })) {
      updates += 1;
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
  }
  return { tally, updates };
}

const following = [follow(quiet.id), follow(busy.id)];
const ticker = setInterval(() => {
  void writer.update(busy, { progress: Math.random(), message: "tick" });
}, 1_000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
clearInterval(ticker);
stop.abort();
const results = await Promise.all(following);
await d1.dispose();

const perMinute = (n: number) => ((n * 60) / seconds).toFixed(1);
const names = ["quiet job (no updates)", "job updated every 1 s"];
for (const [i, { tally, updates }] of results.entries()) {
  const name = names[i];
  console.log(`${name}: ${updates} updates delivered in ${seconds} s`);
  for (const [kind, { calls, rowsRead }] of tally) {
    console.log(
      `  ${kind}: ${calls} calls (${perMinute(calls)}/min), ${rowsRead} rows read ` +
        `(${perMinute(rowsRead)}/min, ${(rowsRead / calls).toFixed(1)} per call)`,
    );
  }
}
