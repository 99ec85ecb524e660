import { defineConfig } from "vitest/config";

export default defineConfig({
  // The Vercel and Cloudflare examples import `jdobb-async-queue` by name: their tsconfig.json
  // maps it to the sources (examples/tsconfig.base.json).
  resolve: { tsconfigPaths: true },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    retry: 0,
  },
});
