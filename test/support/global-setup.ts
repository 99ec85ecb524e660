/**
 * Starts one redis-server for the whole run. In CI a missing or broken redis-server fails the
 * run; locally the Redis tests are skipped with a loud message.
 */
import type { TestProject } from "vitest/node";
import { hasRedisServer, startRedisServer } from "../../devtools/redis-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>`, or "" when Redis tests are skipped locally. */
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (!hasRedisServer()) {
    if (process.env.CI) {
      throw new Error(
        "redis-server is not installed; CI needs it (apt-get install -y redis-server)",
      );
    }
    console.warn(
      "\n*** redis-server not found: the Redis backend tests are SKIPPED. ***\n" +
        "*** Install it (apt-get install -y redis-server) to run them.  ***\n",
    );
    project.provide("redisUrl", "");
    return;
  }
  const server = await startRedisServer();
  project.provide("redisUrl", server.url);
  return () => server.stop();
}
