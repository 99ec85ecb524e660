/**
 * The Worker side of the Durable Object store: a backend whose every contract call is one RPC
 * to the queue's object (one object per queue name), which runs it against its own SQLite
 * database (host.ts). Runs anywhere a namespace binding (or miniflare's proxy of one) does.
 */
import * as contract from "../../backend.js";
import { type QueueError, ValidationError } from "../../errors.js";
import { describe, refused, unavailable } from "../../internal/store-errors.js";
import type { JobCounts } from "../../job.js";
import { answerOf } from "./envelope.js";
import { followNotices } from "./follow.js";
import { DURABLE_OBJECT_MAX_PAYLOAD_BYTES } from "./limits.js";
import type { RemoteMethod } from "./methods.js";
import type { QueueObjectNamespace, QueueObjectStub } from "./platform.js";

const NAME = "durable-object";

/**
 * A failed RPC: retryable (`BACKEND_UNAVAILABLE`) unless the runtime says retrying cannot help
 * (its errors carry `retryable`, and `overloaded` when the object is: retry later).
 */
function rpcError(error: unknown): QueueError {
  const { retryable, overloaded } = (error ?? {}) as { retryable?: unknown; overloaded?: unknown };
  if (retryable === false && overloaded !== true) return refused(NAME, describe(error));
  return unavailable(NAME, describe(error));
}

/** The Durable Object store: see {@link durableObjectBackend}. */
class DurableObjectBackend implements contract.FullBackend {
  readonly name = NAME;
  readonly capabilities: contract.BackendCapabilities = {
    maxPayloadBytes: DURABLE_OBJECT_MAX_PAYLOAD_BYTES,
    features: contract.BACKEND_FEATURES,
  };
  readonly #ids = new Map<string, unknown>();

  constructor(private readonly namespace: QueueObjectNamespace) {}

  /**
   * The queue's object. A stub is made per call: on Workers a stub is bound to the request that
   * made it, and the backend outlives requests. The id (a hash of the name) is kept.
   */
  #stub(queue: string): QueueObjectStub {
    let id = this.#ids.get(queue);
    if (id === undefined) {
      id = this.namespace.idFromName(queue);
      this.#ids.set(queue, id);
    }
    return this.namespace.get(id as never) as QueueObjectStub;
  }

  /** One RPC: the object's errors keep their code; see {@link rpcError} for the RPC's own. */
  async #call<T>(method: RemoteMethod, input: contract.QueueScope): Promise<T> {
    let reply: string;
    try {
      reply = await this.#stub(input.queue).call(JSON.stringify({ method, input }));
    } catch (error) {
      throw rpcError(error);
    }
    return answerOf<T>(reply);
  }

  enqueue(input: contract.EnqueueInput) {
    return this.#call<contract.EnqueueOutcome[]>("enqueue", input);
  }
  claim(input: contract.ClaimInput) {
    return this.#call<contract.ClaimOutcome>("claim", input);
  }
  update(input: contract.UpdateInput) {
    return this.#call<boolean>("update", input);
  }
  complete(input: contract.CompleteInput) {
    return this.#call<boolean>("complete", input);
  }
  completeAndClaim(input: contract.CompleteAndClaimInput) {
    return this.#call<contract.CompleteAndClaimOutcome>("completeAndClaim", input);
  }
  completeAndClaimMany(input: contract.CompleteAndClaimManyInput) {
    return this.#call<contract.CompleteAndClaimOutcome[]>("completeAndClaimMany", input);
  }
  fail(input: contract.FailInput) {
    return this.#call<boolean>("fail", input);
  }
  release(input: contract.FencedInput) {
    return this.#call<boolean>("release", input);
  }
  cancel(input: contract.CancelInput) {
    return this.#call<contract.CancelOutcome>("cancel", input);
  }
  retry(input: contract.RequestedChangeInput) {
    return this.#call<contract.RetryOutcome>("retry", input);
  }
  get(input: contract.JobInput) {
    return this.#call<contract.JobRecord | null>("get", input);
  }
  readEvents(input: contract.ReadEventsInput) {
    return this.#call<contract.EventRecord[]>("readEvents", input);
  }
  list(input: contract.ListInput) {
    return this.#call<contract.ListOutcome>("list", input);
  }
  stats(input: contract.QueueScope) {
    return this.#call<JobCounts>("stats", input);
  }
  purge(input: contract.PurgeInput) {
    return this.#call<number>("purge", input);
  }
  putSchedule(input: contract.PutScheduleInput) {
    return this.#call<contract.ScheduleRecord>("putSchedule", input);
  }
  deleteSchedule(input: contract.JobInput) {
    return this.#call<boolean>("deleteSchedule", input);
  }
  listSchedules(input: contract.QueueScope) {
    return this.#call<contract.ScheduleRecord[]>("listSchedules", input);
  }
  refillSchedule(input: contract.RefillScheduleInput) {
    return this.#call<boolean>("refillSchedule", input);
  }
  setQueueLimits(input: contract.SetQueueLimitsInput) {
    return this.#call<contract.QueueLimits>("setQueueLimits", input);
  }
  getQueueLimits(input: contract.QueueScope) {
    return this.#call<contract.QueueLimits>("getQueueLimits", input);
  }
  async setKeyLimits(input: contract.SetKeyLimitsInput) {
    await this.#call<null>("setKeyLimits", input);
  }
  getKeyLimits(input: contract.QueueScope & { key: string }) {
    return this.#call<contract.KeyLimits>("getKeyLimits", input);
  }

  /**
   * Opens a notice stream on the job's object (rejects if the object cannot be reached: the
   * caller polls), then follows it in the background until `signal` aborts.
   */
  async watch({ queue, id, onNotice, signal }: contract.WatchInput): Promise<void> {
    const open = async () => {
      try {
        return await this.#stub(queue).watch(JSON.stringify({ id }));
      } catch (error) {
        throw rpcError(error);
      }
    };
    const first = await open();
    if (signal.aborted) {
      void first.cancel().catch(() => {});
      return;
    }
    void followNotices(first, open, onNotice, signal);
  }
}

/**
 * A backend storing each queue in its own SQLite-backed Durable Object (`QueueObject`, which
 * the Worker exports and binds): no store outside Cloudflare, every call one RPC inside the
 * platform, pushed progress, and alarms that start drains when jobs fall due.
 *
 * @example
 * import { durableObjectBackend } from "jdobb-async-queue/durable-object";
 * const queue = new JobQueue({ backend: durableObjectBackend(env.QUEUES) });
 */
export function durableObjectBackend(namespace: QueueObjectNamespace): contract.Backend {
  const usable = namespace as Partial<QueueObjectNamespace> | undefined;
  if (typeof usable?.idFromName !== "function" || typeof usable.get !== "function") {
    throw new ValidationError(
      "durableObjectBackend needs a Durable Object namespace binding (env.QUEUES: class QueueObject)",
      "namespace",
    );
  }
  return new DurableObjectBackend(namespace);
}
