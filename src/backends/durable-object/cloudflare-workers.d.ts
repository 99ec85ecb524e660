/**
 * The two base classes of the Workers runtime module `cloudflare:workers` this entry extends,
 * typed as far as it uses them (no dependency on `@cloudflare/workers-types`). The runtime
 * provides the module; bundlers (wrangler, esbuild for workerd) leave the import as it is.
 */
declare module "cloudflare:workers" {
  /** A Durable Object class with RPC methods. */
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: import("./platform.js").DurableObjectStateLike;
    protected readonly env: Env;
    constructor(ctx: import("./platform.js").DurableObjectStateLike, env: Env);
  }
  /** A named entrypoint a service binding can call by RPC. */
  export abstract class WorkerEntrypoint<Env = unknown> {
    protected readonly ctx: { waitUntil(promise: Promise<unknown>): void };
    protected readonly env: Env;
    constructor(ctx: { waitUntil(promise: Promise<unknown>): void }, env: Env);
  }
}
