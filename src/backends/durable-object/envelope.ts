/**
 * The wire format between the Worker and a queue's Durable Object: JSON text both ways, so it
 * crosses RPC (and miniflare's proxy, in tests) unchanged. Errors cross as data: a thrown
 * error would arrive without its class or `code`.
 */
import {
  BackendError,
  BackendUnavailableError,
  QueueError,
  ValidationError,
} from "../../errors.js";
import { describe } from "../../internal/store-errors.js";

/** A contract call: the method's name and its input. */
export interface CallRequest {
  method: string;
  input: unknown;
}

/** An error as it crosses: its code, its (loggable) message and the field it names. */
interface WireError {
  code: string;
  message: string;
  field?: string | undefined;
}

/** The reply: the method's answer, or the error it threw. */
type CallReply = { ok: unknown } | { error: WireError };

/** The reply to a call that answered `value`. */
export const replyWith = (value: unknown): string => JSON.stringify({ ok: value ?? null });

/** The reply to a call that threw `error` (a non-library error becomes a `BACKEND_ERROR`). */
export function replyWithError(error: unknown): string {
  const wire: WireError =
    error instanceof QueueError
      ? { code: error.code, message: error.message, field: (error as ValidationError).field }
      : { code: "BACKEND_ERROR", message: `durable-object: ${describe(error)}` };
  return JSON.stringify({ error: wire });
}

/** The error a reply carries, rebuilt with its class and code. */
function rebuild({ code, message, field }: WireError): QueueError {
  if (code === "BACKEND_UNAVAILABLE") return new BackendUnavailableError(message);
  if (code === "VALIDATION") return new ValidationError(message, field);
  return new BackendError(code === "BACKEND_ERROR" ? message : `${code}: ${message}`);
}

/** The answer a reply carries; throws the error it carries instead. */
export function answerOf<T>(reply: string): T {
  const parsed = JSON.parse(reply) as CallReply;
  if ("error" in parsed) throw rebuild(parsed.error);
  return parsed.ok as T;
}
