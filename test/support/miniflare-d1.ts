/** A D1 database in miniflare, reached from Node through miniflare's proxy. */
import { Miniflare } from "miniflare";

/** A running miniflare with one D1 binding, `DB`. */
export interface MiniflareD1 {
  db: Awaited<ReturnType<Miniflare["getD1Database"]>>;
  dispose(): Promise<void>;
}

/** Starts miniflare with an empty D1 database (in memory: nothing outlives `dispose`). */
export async function startMiniflareD1(): Promise<MiniflareD1> {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    compatibilityDate: "2026-04-20",
    d1Databases: ["DB"],
  });
  const db = await mf.getD1Database("DB");
  return { db, dispose: () => mf.dispose() };
}
