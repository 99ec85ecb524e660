/**
 * The app's job types, with zod schemas (any Standard Schema works), and their handlers. The
 * route and `queue.enqueue` check payloads against these.
 */
import type { Worker } from "jdobb-async-queue";
import { z } from "zod";

export const jobs = {
  /** `{ text }` → how many words, and how many distinct ones; reports progress as it reads. */
  "count-words": {
    payload: z.object({ text: z.string().max(100_000) }),
    result: z.object({ words: z.number(), distinct: z.number() }),
  },
  /** `{ title }` → a URL slug. */
  slugify: {
    payload: z.object({ title: z.string().min(1).max(200) }),
    result: z.object({ slug: z.string() }),
  },
};

export type Jobs = typeof jobs;

/** Registers a handler for each job type. */
export function registerHandlers(worker: Worker<Jobs>): Worker<Jobs> {
  return worker
    .handler(
      "count-words",
      async (ctx) => {
        const words = ctx.payload.text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
        const distinct = new Set<string>();
        for (const [i, word] of words.entries()) {
          distinct.add(word);
          // Progress writes are coalesced (one per 200 ms): reporting often costs nothing extra.
          if (i % 1_000 === 999) await ctx.update({ progress: i / words.length });
        }
        await ctx.update({ progress: 1, message: `${words.length} words` });
        return { words: words.length, distinct: distinct.size };
      },
      { timeoutMs: 10_000 },
    )
    .handler("slugify", async (ctx) => ({
      slug: ctx.payload.title
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, ""),
    }));
}
