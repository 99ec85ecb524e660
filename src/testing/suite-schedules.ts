import { expect, it } from "vitest";
import { type Backend, scheduledJobId } from "../backend.js";
import { cron } from "../cron.js";
import { JobQueue } from "../queue.js";
import { Worker } from "../worker.js";
import type { Harness } from "./harness.js";

const MINUTE = 60_000;

/**
 * Recurring schedules: stored in the queue, materialised by claims, one job per tick, refilled
 * and caught up by the core. The harness clock starts at 2026-01-01T00:00:00Z.
 */
export function scheduleSuite(h: () => Harness): void {
  const every5 = { cron: "*/5 * * * *", type: "t", payload: { n: 1 } } as const;
  const start = Date.UTC(2026, 0, 1);
  const tick = (minutes: number) => start + minutes * MINUTE;

  it("stores, replaces, lists and deletes schedules", async () => {
    const { queue } = h();
    await queue.schedule("b", { ...every5, options: { priority: 3, concurrencyKey: "k" } });
    await queue.schedule("a", { cron: "0 3 * * *", timezone: "Europe/Berlin", type: "t" });
    await queue.schedule("b", { ...every5, payload: { n: 2 }, catchUp: "all" });
    const [a, b, ...rest] = await queue.schedules();
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      id: "a",
      timezone: "Europe/Berlin",
      nextRunAt: Date.UTC(2026, 0, 1, 2),
    });
    expect(b).toMatchObject({
      id: "b",
      cron: "*/5 * * * *",
      timezone: null,
      type: "t",
      payload: { n: 2 },
      options: { priority: 0, maxAttempts: 3, concurrencyKey: null },
      catchUp: "all",
      nextRunAt: tick(5),
      lastRunAt: null,
    });
    expect(await queue.unschedule("b")).toBe(true);
    expect(await queue.unschedule("b")).toBe(false);
    expect((await queue.schedules()).map((s) => s.id)).toEqual(["a"]);
  });

  it("turns a due tick into exactly one job, which the same claim can take", async () => {
    const { queue, clock, open } = h();
    await queue.schedule("s", { ...every5, options: { priority: 4, concurrencyKey: "k" } });
    await clock.advance(5 * MINUTE - 1);
    expect(await queue.claim()).toBeNull();
    await clock.advance(1);
    const job = await queue.claim();
    expect(job).toMatchObject({
      id: scheduledJobId(queue.name, "s", tick(5)),
      type: "t",
      payload: { n: 1 },
      runAt: tick(5),
      priority: 4,
      concurrencyKey: "k",
    });
    expect(await open().claim()).toBeNull(); // another process, same tick: nothing more
    expect((await queue.list()).jobs).toHaveLength(1);
    const [schedule] = await queue.schedules();
    expect(schedule).toMatchObject({ nextRunAt: tick(10), lastRunAt: tick(5) });
  });

  it("gives two queues' schedules of the same id and tick a job each", async () => {
    const { queue, clock, open } = h();
    const other = open({ name: `${queue.name}-2` });
    await queue.schedule("s", every5);
    await other.schedule("s", every5);
    await clock.advance(5 * MINUTE);
    expect((await queue.claim())?.id).toBe(scheduledJobId(queue.name, "s", tick(5)));
    expect((await other.claim())?.id).toBe(scheduledJobId(other.name, "s", tick(5)));
  });

  it("still fires a due tick when the schedule is saved again before any claim", async () => {
    const { queue, clock } = h();
    await queue.schedule("s", every5);
    await clock.advance(5 * MINUTE); // due, and no claim yet (say, a cold start saves it again)
    await queue.schedule("s", { ...every5, payload: { n: 2 } });
    expect(await queue.claim()).toMatchObject({
      id: scheduledJobId(queue.name, "s", tick(5)),
      payload: { n: 2 },
    });
    // New times: from now on. The call answers the schedule as stored, as a listing does.
    const saved = await queue.schedule("s", { ...every5, cron: "*/10 * * * *" });
    expect(saved).toEqual((await queue.schedules())[0]);
    expect(saved).toMatchObject({ nextRunAt: tick(10), lastRunAt: tick(5) });
  });

  it("runs only the latest missed tick after downtime, by default", async () => {
    const { queue, clock } = h();
    await queue.schedule("s", every5);
    await clock.advance(62 * MINUTE); // 12 ticks missed, all on the stored list
    expect((await queue.claimMany(20)).map((job) => job.id)).toEqual([
      scheduledJobId(queue.name, "s", tick(60)),
    ]);
    expect((await queue.schedules())[0]).toMatchObject({
      nextRunAt: tick(65),
      lastRunAt: tick(60),
    });
  });

  it("runs every missed tick with catchUp: all", async () => {
    const { queue, clock } = h();
    await queue.schedule("s", { ...every5, catchUp: "all" });
    await clock.advance(15 * MINUTE);
    const ids = (await queue.claimMany(20)).map((job) => job.id);
    expect(ids).toEqual([5, 10, 15].map((m) => scheduledJobId(queue.name, "s", tick(m))));
  });

  it("works out ticks missed past the end of the stored list", async () => {
    const { queue, clock } = h();
    await queue.schedule("latest", every5);
    await queue.schedule("all", { ...every5, catchUp: "all" });
    await clock.advance(3 * 60 * MINUTE); // 36 ticks: more than the store knows about
    const first = await queue.claimMany(100); // the store fires nothing; the core catches up
    const second = await queue.claimMany(100);
    const ids = [...first, ...second].map((job) => job.id);
    expect(ids.filter((id) => id.includes("@latest@"))).toEqual([
      scheduledJobId(queue.name, "latest", tick(180)),
    ]);
    expect(ids.filter((id) => id.includes("@all@"))).toHaveLength(36);
    expect(await queue.claimMany(100)).toEqual([]);
    for (const schedule of await queue.schedules()) {
      expect(schedule).toMatchObject({ nextRunAt: tick(185), lastRunAt: tick(180) });
    }
  });

  it("keeps ticking as its stored list runs out: one job per tick, none lost", async () => {
    const { queue, clock } = h();
    await queue.schedule("s", every5);
    for (let m = 5; m <= 120; m += 5) {
      await clock.advance(5 * MINUTE);
      const job = await queue.claim();
      expect(job?.id).toBe(scheduledJobId(queue.name, "s", tick(m)));
      await queue.complete(job as NonNullable<typeof job>, null);
    }
    expect(await queue.claim()).toBeNull();
  });

  it("fences refills by version and never makes a tick's job twice", async () => {
    const { queue, clock, backend } = h();
    await queue.schedule("s", every5);
    const scope = () => ({ queue: queue.name, now: clock.now() });
    const [record] = await backend.listSchedules(scope());
    if (!record) throw new Error("no schedule stored");
    const refill = {
      ...scope(),
      id: "s",
      fire: [tick(0)],
      upcoming: [tick(5)],
      lastTickAt: tick(0),
    };
    expect(await backend.refillSchedule({ ...refill, version: record.version + 1 })).toBe(false);
    expect(await backend.refillSchedule({ ...refill, version: record.version })).toBe(true);
    expect(await backend.refillSchedule({ ...refill, version: record.version })).toBe(false);
    const [after] = await backend.listSchedules(scope());
    expect(after).toMatchObject({ upcoming: [tick(5)], lastTickAt: tick(0) });
    expect(after?.version).not.toBe(record.version);
    // Firing a tick again (say, a second refill that raced) makes no second job.
    const again = { ...refill, version: after?.version as number, upcoming: [tick(5)] };
    expect(await backend.refillSchedule(again)).toBe(true);
    expect((await queue.list()).jobs.map((job) => job.id)).toEqual([
      scheduledJobId(queue.name, "s", tick(0)),
    ]);
  });

  it("rejects a bad cron expression or time zone and stores nothing", async () => {
    const { queue } = h();
    await expect(queue.schedule("s", { ...every5, cron: "every minute" })).rejects.toMatchObject({
      code: "VALIDATION",
      field: "cron",
    });
    await expect(
      queue.schedule("s", { ...every5, timezone: "Mars/Olympus_Mons" }),
    ).rejects.toMatchObject({ code: "VALIDATION", field: "timezone" });
    await expect(queue.schedule("s", { ...every5, cron: "0 0 30 2 *" })).rejects.toMatchObject({
      field: "cron", // the 30th of February never comes
    });
    await expect(queue.schedule("bad id!", every5)).rejects.toMatchObject({ field: "id" });
    expect(await queue.schedules()).toEqual([]);
  });

  it("costs one store call per idle claim and per idle drain, schedules or not", async () => {
    const { backend, clock, queue } = h();
    await queue.schedule("s", every5);
    const calls: string[] = [];
    const counted = new JobQueue({
      backend: counting(backend, calls),
      clock,
      cron,
      name: queue.name,
    });
    expect(await counted.claim()).toBeNull();
    expect(calls).toEqual(["claim"]);
    calls.length = 0;
    const worker = new Worker(counted, { concurrency: 4 });
    worker.handler("t", () => null);
    await worker.drain({ budgetMs: 10_000 });
    expect(calls).toEqual(["claim"]);
  });
}

/** The backend, recording the name of every call made through it. */
function counting(backend: Backend, calls: string[]): Backend {
  return new Proxy(backend, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return value.apply(target, args);
      };
    },
  });
}
