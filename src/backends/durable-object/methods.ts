/** The contract methods a queue's object answers by RPC, and which of them only read. */
import type { FullBackend } from "../../backend.js";

/** A contract method that crosses to the object (everything but `watch`, `init`, `close`). */
export type RemoteMethod = Exclude<
  {
    [K in keyof FullBackend]-?: FullBackend[K] extends (input: never) => Promise<unknown>
      ? K
      : never;
  }[keyof FullBackend],
  "watch" | "init" | "close"
>;

/** The methods that change nothing: no notices or alarms follow them. */
export const READ_METHODS: ReadonlySet<RemoteMethod> = new Set<RemoteMethod>([
  "get",
  "readEvents",
  "list",
  "stats",
  "listSchedules",
  "getQueueLimits",
  "getKeyLimits",
]);

/** The methods that write. */
export const WRITE_METHODS: ReadonlySet<RemoteMethod> = new Set<RemoteMethod>([
  "enqueue",
  "claim",
  "update",
  "complete",
  "completeAndClaim",
  "completeAndClaimMany",
  "fail",
  "release",
  "cancel",
  "retry",
  "purge",
  "putSchedule",
  "deleteSchedule",
  "refillSchedule",
  "setQueueLimits",
  "setKeyLimits",
]);

/** Whether `name` is a method the object answers. */
export const isRemoteMethod = (name: string): name is RemoteMethod =>
  READ_METHODS.has(name as RemoteMethod) || WRITE_METHODS.has(name as RemoteMethod);
