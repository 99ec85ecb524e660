/**
 * The Worker's job types, with valibot schemas (small in a Worker bundle; any Standard Schema
 * works), and their handlers. The routes and `queue.enqueue` check payloads against these.
 */
import type { Worker } from "jdobb-async-queue";
import * as v from "valibot";

export const jobs = {
  /** `{ text }` → `{ text }` in capitals. */
  uppercase: {
    payload: v.object({ text: v.pipe(v.string(), v.maxLength(10_000)) }),
    result: v.object({ text: v.string() }),
  },
  /** `{ words: [...] }` → how often each word occurs; reports progress word by word. */
  count: {
    payload: v.object({ words: v.pipe(v.array(v.string()), v.maxLength(1_000)) }),
    result: v.record(v.string(), v.number()),
  },
};

export type Jobs = typeof jobs;

/** Registers a handler for each job type. */
export function registerHandlers(worker: Worker<Jobs>): Worker<Jobs> {
  return worker
    .handler("uppercase", async (ctx) => {
      await ctx.update({ progress: 0.5, message: "shouting" });
      return { text: ctx.payload.text.toUpperCase() };
    })
    .handler("count", async (ctx) => {
      const counts: Record<string, number> = {};
      for (const [i, word] of ctx.payload.words.entries()) {
        counts[word] = (counts[word] ?? 0) + 1;
        await ctx.update({ progress: (i + 1) / ctx.payload.words.length, message: word });
      }
      return counts;
    });
}
