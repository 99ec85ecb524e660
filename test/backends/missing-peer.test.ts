/**
 * A driver that is not installed (a non-hoisted install, a peer never added) fails the first
 * call as a configuration error naming the package, not as a store's refusal. The packed
 * package's own check (test/package/packed.test.ts) imports for real from an install without
 * the peers; this one feeds the backend Node's error for it.
 */
import { describe, expect, it } from "vitest";
import { createLibsqlBackend } from "../../src/backends/libsql/factory.js";
import { BackendError, JobQueue, MissingPeerError } from "../../src/index.js";

/** The error Node's ESM loader throws for `import("<name>")` when nothing provides it. */
function notFound(name: string): Error {
  const error = new Error(`Cannot find package '${name}' imported from /app/dist/node.js`);
  return Object.assign(error, { code: "ERR_MODULE_NOT_FOUND" });
}

/** A libSQL queue whose local opener fails as `import()` does. */
function queueFailingWith(error: Error): JobQueue {
  const backend = createLibsqlBackend({ url: "file:never.db" }, async () => {
    throw error;
  });
  return new JobQueue({ backend });
}

describe("a missing peer", () => {
  it("is a MissingPeerError naming the package to install, at the first call", async () => {
    const failure = queueFailingWith(notFound("libsql")).enqueue("t", null);
    await expect(failure).rejects.toBeInstanceOf(MissingPeerError);
    await expect(failure).rejects.toMatchObject({
      code: "MISSING_PEER",
      peer: "libsql",
      message: expect.stringContaining("npm i libsql"),
    });
  });

  it("is recognised by a subpath, and in CommonJS wording", async () => {
    const cjs = Object.assign(new Error("Cannot find module '@libsql/client/web'"), {
      code: "MODULE_NOT_FOUND",
    });
    await expect(queueFailingWith(cjs).stats()).rejects.toMatchObject({
      code: "MISSING_PEER",
      peer: "@libsql/client",
    });
  });

  it("does not claim a package that is not ours to name (left as the store's error)", async () => {
    const failure = queueFailingWith(notFound("some-native-binding")).stats();
    await expect(failure).rejects.toBeInstanceOf(BackendError);
    await expect(failure).rejects.not.toBeInstanceOf(MissingPeerError);
  });
});
