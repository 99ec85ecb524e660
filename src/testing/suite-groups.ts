import { expect, it } from "vitest";
import type { CompleteAndClaimItem } from "../backend.js";
import { internalsOf } from "../internal/queue-internals.js";
import type { Job } from "../job.js";
import { claimInputOf, type Harness } from "./harness.js";

/**
 * `completeAndClaimMany`, for backends that have it: several workers' completions and next
 * claims in one call, each member fenced on its own.
 */
export function groupSuite(h: () => Harness): void {
  const setup = () => {
    const { backend, clock, queue } = h();
    const scope = () => ({ queue: queue.name, now: clock.now() });
    const claimInput = (limit: number, leaseMs = 30_000) => claimInputOf(h(), limit, leaseMs);
    const member = (id: string, token: string, limit: number): CompleteAndClaimItem => {
      const { queue: _q, now: _n, ...next } = claimInput(limit);
      return { id, token, result: JSON.stringify({ id }), expiresAt: clock.now() + 60_000, next };
    };
    const types = async (id: string) =>
      (await backend.readEvents({ ...scope(), id, after: 0, limit: 100 })).map((e) => e.type);
    return { backend, clock, queue, scope, claimInput, member, types };
  };

  it("completes and claims for every member, each fenced on its own", async () => {
    const { backend, clock, queue, scope, claimInput, member, types } = setup();
    if (!backend.completeAndClaimMany) return;
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await queue.enqueue("t", i));
    const [a, b, c] = [claimInput(1), claimInput(1), claimInput(1, 1_000)];
    const [ja] = (await backend.claim(a)).jobs;
    const [jb] = (await backend.claim(b)).jobs;
    const [jc] = (await backend.claim(c)).jobs;
    await clock.advance(5_000); // c's lease has expired: the group requeues its job first
    const outcomes = await backend.completeAndClaimMany({
      ...scope(),
      items: [
        // Its lease ran out: completes nothing, even first in the group (expired leases are
        // dealt with before any member), and its job goes back to the queue.
        member(jc?.id as string, c.token, 1),
        member(ja?.id as string, a.token, 1),
        member(jb?.id as string, "not-the-token", 10), // asks for more than there is
      ],
    });
    expect(outcomes.map((o) => o.completed)).toEqual([false, true, false]);
    const claimed = outcomes.map((o) => o.claimed.map((job) => job.id));
    // In claim order: the requeued job (earliest), then the queued ones.
    expect(claimed).toEqual([[ids[2]], [ids[3]], [ids[4], ids[5]]]);
    expect(await types(ids[0] as string)).toEqual(["enqueued", "active", "completed"]);
    expect(await types(ids[1] as string)).toEqual(["enqueued", "active"]); // wrong token: no event
    expect(await types(ids[2] as string)).toEqual([
      "enqueued",
      "active",
      "lease-expired",
      "active",
    ]);
    expect(await backend.stats(scope())).toMatchObject({ queued: 0, active: 5, completed: 1 });
  });

  it("a stale member and the job's holder in one group: only the holder completes, re-sent too", async () => {
    const { backend, clock, scope, claimInput, member, types, queue } = setup();
    if (!backend.completeAndClaimMany) return;
    const id = await queue.enqueue("t", 0);
    for (let i = 1; i < 4; i++) await queue.enqueue("t", i);
    const stale = claimInput(1, 1_000);
    await backend.claim(stale);
    await clock.advance(5_000); // the lease ran out: the next claim takes the job again
    const holder = claimInput(1);
    expect((await backend.claim(holder)).jobs.map((job) => job.id)).toEqual([id]);
    const input = {
      ...scope(),
      items: [member(id, stale.token, 1), member(id, holder.token, 2)],
    };
    const first = await backend.completeAndClaimMany(input);
    const again = await backend.completeAndClaimMany(input); // re-sent: the same answers
    for (const outcomes of [first, again]) {
      expect(outcomes.map((o) => o.completed)).toEqual([false, true]);
      expect(outcomes.map((o) => o.claimed.length)).toEqual([1, 2]);
    }
    expect(again.map((o) => o.claimed)).toEqual(first.map((o) => o.claimed));
    expect(await types(id)).toEqual(["enqueued", "active", "lease-expired", "active", "completed"]);
  });

  it("gives concurrent completions of several queue objects each its own outcome", async () => {
    const { backend, queue } = setup();
    const { open } = h();
    if (!backend.completeAndClaimMany) return;
    await queue.enqueueMany(Array.from({ length: 20 }, (_, i) => ({ type: "t", payload: i })));
    const workers = Array.from({ length: 5 }, () => open());
    const held = await Promise.all(workers.map((worker) => worker.claim()));
    const results = await Promise.all(
      workers.map((worker, i) =>
        internalsOf(worker).completeAndClaim(held[i] as Job, i, { limit: 1 }),
      ),
    );
    expect(results.map((r) => [r.completed, r.next.length])).toEqual(workers.map(() => [true, 1]));
    const next = results.flatMap((r) => r.next.map((job) => job.id));
    expect(new Set(next).size).toBe(5);
    expect(await queue.stats()).toMatchObject({ completed: 5, active: 5, queued: 10 });
  });
}
