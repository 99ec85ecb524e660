/** The job handlers the Cloudflare and Vercel examples share. */
import type { Worker } from "../../src/index.js";

/** Registers `uppercase` and `count`, both reporting progress. */
export function registerEdgeHandlers(worker: Worker): Worker {
  return worker
    .handler<{ text: string }>("uppercase", async (ctx) => {
      await ctx.update({ progress: 0.5, message: "shouting" });
      return { text: ctx.payload.text.toUpperCase() };
    })
    .handler<{ words: string[] }>("count", async (ctx) => {
      const counts: Record<string, number> = {};
      for (const [i, word] of ctx.payload.words.entries()) {
        counts[word] = (counts[word] ?? 0) + 1;
        await ctx.update({ progress: (i + 1) / ctx.payload.words.length, message: word });
      }
      return counts;
    });
}
