import { expect, it } from "vitest";
import type { Backend, ClaimInput, JobRecord, NewJobRecord } from "../backend.js";
import { newToken } from "../internal/ids.js";
import { claimInputOf, type Harness } from "./harness.js";
import { newJobRecord } from "./new-job.js";

/**
 * Every mutating call is sent twice with the same input, as a client does when a reply is
 * lost after the store ran the call: the second run must change nothing more, log no second
 * event, and answer as the first did.
 */
export function resendSuite(h: () => Harness): void {
  /** Runs `call` twice with the same input; both answers must be equal. */
  async function twice<T>(call: () => Promise<T>): Promise<T> {
    const first = await call();
    expect(await call()).toEqual(first);
    return first;
  }

  const setup = () => {
    const { backend, clock, queue } = h();
    const scope = () => ({ queue: queue.name, now: clock.now() });
    const newJob = (overrides: Partial<NewJobRecord> = {}): NewJobRecord =>
      newJobRecord(clock.now(), { payload: JSON.stringify({ n: 1 }), ...overrides });
    const claimInput = (limit: number) => claimInputOf(h(), limit);
    const eventTypes = async (id: string) =>
      (await backend.readEvents({ ...scope(), id, after: 0, limit: 100 })).map((e) => e.type);
    return { backend, clock, queue, scope, newJob, claimInput, eventTypes };
  };

  type Held = { queue: string; now: number; id: string; token: string };
  const claimAll = async (backend: Backend, input: ClaimInput) => {
    await backend.claim(input);
    return input;
  };

  const enqueued = async (
    backend: Backend,
    scope: { queue: string; now: number },
    job: NewJobRecord,
  ) => {
    await backend.enqueue({ ...scope, jobs: [job] });
    return job.id;
  };

  it("re-sent enqueue answers created again and stores one job", async () => {
    const { backend, scope, newJob, eventTypes } = setup();
    const jobs = [newJob(), newJob({ idempotencyKey: `k-${newToken()}` })];
    const outcomes = await twice(() => backend.enqueue({ ...scope(), jobs }));
    expect(outcomes).toEqual(jobs.map((job) => ({ id: job.id, created: true })));
    expect((await backend.stats(scope())).queued).toBe(2);
    expect(await eventTypes(jobs[0]?.id as string)).toEqual(["enqueued"]);
  });

  it("re-sent enqueue that matched an idempotency key answers with the holder again", async () => {
    const { backend, scope, newJob } = setup();
    const key = `k-${newToken()}`;
    const holder = await enqueued(backend, scope(), newJob({ idempotencyKey: key }));
    const late = newJob({ idempotencyKey: key });
    const outcome = await twice(() => backend.enqueue({ ...scope(), jobs: [late] }));
    expect(outcome).toEqual([{ id: holder, created: false }]);
  });

  it("an id that exists with other content fails the whole call and stores nothing", async () => {
    const { backend, scope, newJob } = setup();
    const existing = newJob();
    await enqueued(backend, scope(), existing);
    const fresh = newJob();
    const clash = { ...existing, payload: JSON.stringify({ n: 2 }) };
    await expect(backend.enqueue({ ...scope(), jobs: [fresh, clash] })).rejects.toMatchObject({
      code: "BACKEND_ERROR",
    });
    expect(await backend.get({ ...scope(), id: fresh.id })).toBeNull();
    expect((await backend.stats(scope())).queued).toBe(1);
  });

  it("re-sent claim returns the same jobs and claims no more", async () => {
    const { backend, scope, newJob, claimInput, eventTypes } = setup();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await enqueued(backend, scope(), newJob()));
    const input = claimInput(2);
    const claimed = await twice(async () =>
      (await backend.claim(input)).jobs.map((job: JobRecord) => [job.id, job.attempts, job.seq]),
    );
    expect(claimed).toEqual([
      [ids[0], 1, 2],
      [ids[1], 1, 2],
    ]);
    expect((await backend.stats(scope())).active).toBe(2);
    expect(await eventTypes(ids[0] as string)).toEqual(["enqueued", "active"]);
  });

  it("re-sent update, complete, fail and release apply once and answer true again", async () => {
    const { backend, scope, newJob, claimInput, eventTypes } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await enqueued(backend, scope(), newJob()));
    const { token, leaseUntil } = await claimAll(backend, claimInput(4));
    const [a, b, c, d] = ids.map((id) => ({ ...scope(), id, token })) as [Held, Held, Held, Held];
    const progress = { ...a, leaseUntil: leaseUntil + 1, progress: 0.5, message: "half" };
    expect(await twice(() => backend.update(progress))).toBe(true);
    expect(
      await twice(() => backend.complete({ ...a, result: '"ok"', expiresAt: a.now + 60_000 })),
    ).toBe(true);
    const retryAt = b.now + 5_000;
    expect(await twice(() => backend.fail({ ...b, error: "{}", retryAt, expiresAt: 0 }))).toBe(
      true,
    );
    const deadAt = c.now + 60_000;
    expect(
      await twice(() => backend.fail({ ...c, error: "{}", retryAt: null, expiresAt: deadAt })),
    ).toBe(true);
    expect(await twice(() => backend.release(d))).toBe(true);

    expect(await eventTypes(a.id)).toEqual(["enqueued", "active", "progress", "completed"]);
    expect(await eventTypes(b.id)).toEqual(["enqueued", "active", "retry-scheduled"]);
    expect(await eventTypes(c.id)).toEqual(["enqueued", "active", "failed"]);
    expect(await eventTypes(d.id)).toEqual(["enqueued", "active", "released"]);
    expect((await backend.get(d))?.attempts).toBe(0);
    expect((await backend.get(a))?.state).toBe("completed");
  });

  it("re-sent completeAndClaim completes once and returns the same next jobs", async () => {
    const { backend, scope, newJob, claimInput, eventTypes } = setup();
    if (!backend.capabilities.features.includes("groupedCompletion")) return;
    const first = await enqueued(backend, scope(), newJob());
    const second = await enqueued(backend, scope(), newJob());
    const held = claimInput(1);
    await backend.claim(held);
    const input = {
      ...scope(),
      id: first,
      token: held.token,
      result: "1",
      expiresAt: scope().now + 1_000,
      next: claimInput(1),
    };
    const outcome = await twice(async () => {
      const { completed, claimed } = await backend.completeAndClaim(input);
      return { completed, claimed: claimed.map((job) => [job.id, job.attempts]) };
    });
    expect(outcome).toEqual({ completed: true, claimed: [[second, 1]] });
    expect(await eventTypes(first)).toEqual(["enqueued", "active", "completed"]);
    expect(await eventTypes(second)).toEqual(["enqueued", "active"]);
  });

  it("re-sent cancel and redrive answer as the first run did", async () => {
    const { backend, scope, newJob, claimInput, eventTypes } = setup();
    const queued = await enqueued(backend, scope(), newJob());
    const cancel = { ...scope(), id: queued, expiresAt: scope().now + 1_000, callId: newToken() };
    expect(await twice(() => backend.cancel(cancel))).toBe("cancelled");
    expect(await backend.cancel({ ...cancel, callId: newToken() })).toBe("already-finished");

    const dead = await enqueued(backend, scope(), newJob({ maxAttempts: 1 }));
    const held = claimInput(1);
    await backend.claim(held);
    const failure = { ...scope(), id: dead, token: held.token, error: "{}", retryAt: null };
    await backend.fail({ ...failure, expiresAt: scope().now + 60_000 });
    const redrive = { ...scope(), id: dead, callId: newToken() };
    expect(await twice(() => backend.retry(redrive))).toBe("redriven");
    expect(await backend.retry({ ...redrive, callId: newToken() })).toBe("not-failed");
    // A re-send that arrives after a claim took the job answers as the first run did.
    await backend.claim(claimInput(1));
    expect(await backend.retry(redrive)).toBe("redriven");
    expect(await eventTypes(dead)).toEqual(["enqueued", "active", "failed", "redriven", "active"]);
    expect(await eventTypes(queued)).toEqual(["enqueued", "cancelled"]);
  });
}
