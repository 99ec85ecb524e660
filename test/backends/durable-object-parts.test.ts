/**
 * The Durable Object store's parts on their own, with stand-ins for the runtime: the alarm's
 * rules, the notice follower's reconnects, the object's caps on watches, and how errors are
 * classified. (The store as a whole runs in workerd: durable-object.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_REDRAIN_MS, QueueAlarm, REDRAIN_MS } from "../../src/backends/durable-object/alarm.js";
import { durableObjectBackend } from "../../src/backends/durable-object/backend.js";
import { followNotices, REWATCH_AFTER_MS } from "../../src/backends/durable-object/follow.js";
import type {
  DurableObjectStorageLike,
  QueueObjectNamespace,
} from "../../src/backends/durable-object/platform.js";
import { MAX_WATCHES_PER_JOB, Watchers } from "../../src/backends/durable-object/watchers.js";
import {
  classifyInProcessSqlError,
  classifySqliteCodeError,
} from "../../src/backends/sqlite/classify-code.js";
import type { SqliteClient, SqlResult } from "../../src/backends/sqlite/client.js";
import { tablesFor } from "../../src/backends/sqlite/schema.js";
import { BackendUnavailableError } from "../../src/errors.js";

const tables = tablesFor("jdobb_");
const NOW = Date.UTC(2026, 11, 7, 12);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

/** A client whose batches answer the alarm's reads: the earliest due time, and the next. */
function dueClient(due: { first: number | null; next: number | null }): SqliteClient {
  const row = (at: number | null): SqlResult => ({ rows: [{ at }] });
  return {
    execute: async () => ({ rows: [] }),
    batch: async () => [{ rows: [] }, row(due.first), row(due.next)],
    close: () => {},
  };
}

/** A storage that records the alarms set. */
function alarmStorage() {
  const set: number[] = [];
  const storage = {
    setAlarm: async (at: number) => void set.push(at),
    getAlarm: async () => null,
  } as unknown as DurableObjectStorageLike;
  return { storage, set };
}

describe("the queue object's alarm", () => {
  it("keeps a time offered while its drain was starting, if that is earlier", async () => {
    const { storage, set } = alarmStorage();
    let alarm: QueueAlarm | null = null;
    const drain = {
      drain: async () => alarm?.offer(NOW + 2_000), // an enqueue with a 2 s delay, meanwhile
    };
    alarm = new QueueAlarm(storage, drain);
    await alarm.fire(dueClient({ first: NOW - 1, next: NOW + 60_000 }), tables);
    expect(set).toEqual([NOW + 2_000]); // not moved on to the redrain, 30 s away
  });

  it("drains again later while the same job stays due, backing off to a cap", async () => {
    const { storage, set } = alarmStorage();
    const drains: number[] = [];
    const alarm = new QueueAlarm(storage, { drain: async () => void drains.push(Date.now()) });
    const stuck = dueClient({ first: NOW - 5_000, next: null }); // held by a limit, say
    for (let i = 0; i < 6; i++) await alarm.fire(stuck, tables);
    expect(drains).toHaveLength(6);
    expect(set.map((at) => at - NOW)).toEqual([
      REDRAIN_MS,
      2 * REDRAIN_MS,
      4 * REDRAIN_MS,
      8 * REDRAIN_MS,
      MAX_REDRAIN_MS,
      MAX_REDRAIN_MS,
    ]);
    await alarm.fire(dueClient({ first: NOW - 1, next: null }), tables); // another job: afresh
    expect(set.at(-1)).toBe(NOW + REDRAIN_MS);
  });

  it("starts no drain when nothing is due, and sets the next due time", async () => {
    const { storage, set } = alarmStorage();
    const drain = { drain: vi.fn(async () => {}) };
    await new QueueAlarm(storage, drain).fire(
      dueClient({ first: NOW + 9_000, next: NOW + 9_000 }),
      tables,
    );
    expect(drain.drain).not.toHaveBeenCalled();
    expect(set).toEqual([NOW + 9_000]);
  });

  it("says once, with the code, that a drain could not start, and tries again later", async () => {
    const { storage, set } = alarmStorage();
    const lines: string[] = [];
    const failing = {
      drain: async () => Promise.reject(new BackendUnavailableError("down")),
    };
    const alarm = new QueueAlarm(storage, failing, (line) => lines.push(line));
    await alarm.fire(dueClient({ first: NOW - 1, next: null }), tables);
    await alarm.fire(dueClient({ first: NOW - 1, next: null }), tables);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DRAIN_FAILED \(BACKEND_UNAVAILABLE\)/);
    expect(set).toHaveLength(2);
  });

  it("sets no alarm without a drain binding", async () => {
    const { storage, set } = alarmStorage();
    const alarm = new QueueAlarm(storage, undefined);
    alarm.offer(NOW + 1_000);
    await alarm.fire(dueClient({ first: NOW - 1, next: null }), tables);
    expect(set).toEqual([]);
  });
});

/** A stream that records whether it was cancelled, and can be ended. */
function noticeStream() {
  let control: ReadableStreamDefaultController<Uint8Array> | null = null;
  const state = { cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => {
      control = c;
    },
    cancel: () => {
      state.cancelled = true;
    },
  });
  return { stream, state, end: () => control?.close() };
}

describe("following an object's notices", () => {
  it("re-opens an ended stream first, then says notices may have been missed", async () => {
    const log: string[] = [];
    const first = noticeStream();
    const second = noticeStream();
    const stop = new AbortController();
    const open = async () => {
      log.push("open");
      return second.stream;
    };
    const following = followNotices(first.stream, open, () => log.push("notice"), stop.signal);
    first.end();
    await vi.advanceTimersByTimeAsync(REWATCH_AFTER_MS);
    expect(log).toEqual(["open", "notice"]); // an event between the two is read, not lost
    stop.abort();
    await following;
    expect(second.state.cancelled).toBe(true);
  });

  it("cancels a stream that opens after the follower left", async () => {
    const first = noticeStream();
    const late = noticeStream();
    const stop = new AbortController();
    const open = async () => {
      stop.abort(); // the follower leaves while the watch is being opened
      return late.stream;
    };
    const following = followNotices(first.stream, open, () => {}, stop.signal);
    first.end();
    await vi.advanceTimersByTimeAsync(REWATCH_AFTER_MS);
    await following;
    expect(late.state.cancelled).toBe(true);
  });
});

describe("the object's watches", () => {
  /** A client whose jobs are all queued at seq 1. */
  const queuedJobs: SqliteClient = {
    execute: async ({ args }) => ({
      rows: (JSON.parse(String(args[0])) as string[]).map((id) => ({
        id,
        seq: 1,
        state: "queued",
      })),
    }),
    batch: async () => [],
    close: () => {},
  };

  it("ends a job's oldest watch when one more than the cap opens", async () => {
    vi.useRealTimers(); // streams settle on real microtasks
    const watchers = new Watchers(queuedJobs, tables);
    const streams = [];
    for (let i = 0; i <= MAX_WATCHES_PER_JOB; i++) streams.push(await watchers.open("j"));
    expect(watchers.size).toBe(1);
    const [oldest, ...rest] = streams as ReadableStream[];
    expect((await (oldest as ReadableStream).getReader().read()).done).toBe(true);
    for (const stream of rest) await stream.cancel();
  });
});

describe("errors", () => {
  it("in the object, an error without a SQLite code is refused; from D1, retryable", () => {
    expect(classifyInProcessSqlError(new TypeError("bad input")).kind).toBe("refused");
    expect(classifySqliteCodeError(new TypeError("Network connection lost.")).kind).toBe(
      "unavailable",
    );
    const constraint = new Error(
      "UNIQUE constraint failed: t.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)",
    );
    expect(classifyInProcessSqlError(constraint).kind).toBe("refused");
    expect(classifySqliteCodeError(new Error("database is locked: SQLITE_BUSY")).kind).toBe(
      "unavailable",
    );
  });

  it("an RPC the runtime calls not retryable is BACKEND_ERROR; others BACKEND_UNAVAILABLE", async () => {
    const failing = (error: unknown): QueueObjectNamespace => ({
      idFromName: (name) => name,
      get: () => ({ call: async () => Promise.reject(error) }),
    });
    const scope = { queue: "q", now: NOW };
    const refusedRpc = Object.assign(new Error("too large"), { retryable: false });
    const overloaded = Object.assign(new Error("busy"), { retryable: false, overloaded: true });
    await expect(durableObjectBackend(failing(refusedRpc)).stats(scope)).rejects.toMatchObject({
      code: "BACKEND_ERROR",
    });
    await expect(durableObjectBackend(failing(overloaded)).stats(scope)).rejects.toMatchObject({
      code: "BACKEND_UNAVAILABLE",
    });
    await expect(
      durableObjectBackend(failing(new Error("reset"))).stats(scope),
    ).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
  });
});
