/**
 * Pushed notices from a queue's object (feature `push`). The object sees every write, so after
 * each one it tells each watcher of a job whose log grew: one line, the job's latest `seq`,
 * on a stream the watcher reads over RPC. The object is not told when a reader goes away
 * (PLATFORM-FACTS §7), so a stream ends when its job reaches a terminal state, when its life
 * ({@link WATCH_LIFE_MS}) is over, when its reader falls {@link MAX_UNREAD} notices behind, or
 * when its job has {@link MAX_WATCHES_PER_JOB} newer ones; the Worker side then watches again
 * if it still follows the job. Past {@link MAX_WATCHES} in all, new watches are refused.
 */
import { BackendUnavailableError } from "../../errors.js";
import { isTerminal, type JobState } from "../../job.js";
import type { SqliteClient } from "../sqlite/client.js";
import type { Tables } from "../sqlite/schema.js";

/** How long one watch stream lives before the object ends it. */
export const WATCH_LIFE_MS = 5 * 60_000;
/** Notices a reader may leave unread before its stream is dropped. */
export const MAX_UNREAD = 16;
/** Open watches of one job: a new one beyond this ends the job's oldest. */
export const MAX_WATCHES_PER_JOB = 32;
/** Open watches of one object: a new one beyond this is refused (its follower polls). */
export const MAX_WATCHES = 2_000;

const encoder = new TextEncoder();

/** One open stream on one job. */
interface Watch {
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** The job's `seq` last told (or found when the watch began). */
  seq: number;
  timer: ReturnType<typeof setTimeout>;
}

/** The open watches of one queue object. */
export class Watchers {
  readonly #byJob = new Map<string, Set<Watch>>();
  #open = 0;

  constructor(
    private readonly client: SqliteClient,
    private readonly t: Tables,
  ) {}

  /** Jobs watched now. */
  get size(): number {
    return this.#byJob.size;
  }

  /**
   * Opens a stream of notices for job `id`. A job that is missing or already finished gets a
   * stream that ends at once (the watcher reads the log and stops).
   */
  async open(id: string): Promise<ReadableStream<Uint8Array>> {
    if (this.#open >= MAX_WATCHES) {
      throw new BackendUnavailableError(`durable-object: ${MAX_WATCHES} watches open, poll`);
    }
    const stream = new TransformStream<Uint8Array, Uint8Array>(
      undefined,
      new CountQueuingStrategy({ highWaterMark: MAX_UNREAD }),
    );
    const writer = stream.writable.getWriter();
    const head = (await this.#heads([id])).get(id) ?? null;
    if (!head || isTerminal(head.state)) {
      void writer.close().catch(() => {});
      return stream.readable;
    }
    const watch: Watch = {
      writer,
      seq: head.seq,
      timer: setTimeout(() => this.#end(id, watch), WATCH_LIFE_MS),
    };
    const full = this.#byJob.get(id);
    // Sets iterate in insertion order: the first is the oldest (a reader long gone, most likely).
    if (full && full.size >= MAX_WATCHES_PER_JOB)
      this.#end(id, full.values().next().value as Watch);
    const set = this.#byJob.get(id) ?? new Set<Watch>();
    set.add(watch);
    this.#byJob.set(id, set);
    this.#open += 1;
    return stream.readable;
  }

  /** After a write: tells each watcher whose job's log grew, and ends finished jobs' streams. */
  async afterWrite(): Promise<void> {
    if (this.#byJob.size === 0) return;
    const heads = await this.#heads([...this.#byJob.keys()]);
    for (const [id, watches] of this.#byJob) {
      const head = heads.get(id) ?? null;
      for (const watch of watches) {
        if (head && head.seq > watch.seq) this.#tell(id, watch, head.seq);
        if (!head || isTerminal(head.state)) this.#end(id, watch);
      }
    }
  }

  #tell(id: string, watch: Watch, seq: number): void {
    watch.seq = seq;
    if ((watch.writer.desiredSize ?? 0) <= 0) {
      this.#end(id, watch); // its reader stopped reading: gone, or stuck
      return;
    }
    watch.writer.write(encoder.encode(`${seq}\n`)).catch(() => this.#end(id, watch));
  }

  #end(id: string, watch: Watch): void {
    clearTimeout(watch.timer);
    const watches = this.#byJob.get(id);
    if (!watches?.delete(watch)) return;
    this.#open -= 1;
    if (watches.size === 0) this.#byJob.delete(id);
    void watch.writer.close().catch(() => {});
  }

  /** The latest seq and state of each job in `ids`, in one statement. */
  async #heads(ids: string[]): Promise<Map<string, { seq: number; state: JobState }>> {
    const { rows } = await this.client.execute({
      sql: `SELECT id, seq, state FROM ${this.t.jobs} WHERE id IN (SELECT value FROM json_each(?1))`,
      args: [JSON.stringify(ids)],
    });
    const heads = new Map<string, { seq: number; state: JobState }>();
    for (const row of Array.from(rows)) {
      heads.set(String(row.id), { seq: Number(row.seq), state: row.state as JobState });
    }
    return heads;
  }
}
