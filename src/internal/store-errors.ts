/**
 * Turns a store client's error into the error the public API throws. Client errors never
 * escape as they are: some carry the whole request (`@upstash/redis` appends the command,
 * payload included, to its messages; ioredis attaches it as `command`), and each runtime words
 * network failures differently. So the caller classifies by where the error came from — a
 * reply the store sent, or a call that got no reply — and these helpers keep only what is safe
 * to log: the backend's name, the error's class and the first words of the store's reply.
 */
import { BackendError, BackendUnavailableError } from "../errors.js";

/** The first line of an error's message, cut short, without anything a client appended. */
export function briefly(error: unknown, cutAt?: string): string {
  const message = String((error as { message?: unknown })?.message ?? error);
  const line = (cutAt ? message.split(cutAt)[0] : message)?.split("\n")[0] ?? "";
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/** `ClassName: first line of the message`, for a message that may be logged. */
export function describe(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  return `${typeof name === "string" && name ? name : "Error"}: ${briefly(error)}`;
}

/**
 * The call got no reply (refused, reset, timed out, DNS, a broken body), or the store said it
 * is busy. `detail` is {@link describe}d or the store's reply.
 */
export function unavailable(backend: string, detail: string): BackendUnavailableError {
  return new BackendUnavailableError(`${backend}: the store is unreachable or busy (${detail})`);
}

/** The store answered with an error that retrying will not fix. */
export function refused(backend: string, reply: string): BackendError {
  return new BackendError(`${backend}: the store refused the operation (${reply})`);
}
