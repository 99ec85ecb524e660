/**
 * Coalesces one claimed job's progress writes. A handler may report progress as often as it
 * likes; the store sees at most one write per `intervalMs` (plus one in flight), and the last
 * value reported is always written, by a trailing write or by {@link ProgressCoalescer.flush}.
 */
import { ValidationError } from "../errors.js";
import type { Clock } from "./clock.js";
import { encodeJson } from "./json.js";

/** The fields a progress report may change. */
export interface ProgressPatch {
  progress?: number;
  message?: string | null;
  data?: string | null;
}

/**
 * Longest progress message, in characters: a status line, stored on the job's row and each
 * progress event (larger details go in `data`, which `maxPayloadBytes` bounds).
 */
export const MAX_PROGRESS_MESSAGE = 4_000;

/** Validates a caller's progress report and encodes it for the store. */
export function toProgressPatch(
  update: { progress?: number; message?: string | null; data?: unknown },
  maxDataBytes: number,
): ProgressPatch {
  const patch: ProgressPatch = {};
  if (update.progress !== undefined) {
    if (typeof update.progress !== "number" || !(update.progress >= 0 && update.progress <= 1)) {
      throw new ValidationError("progress must be a number from 0 to 1", "progress");
    }
    patch.progress = update.progress;
  }
  if (update.message !== undefined) {
    const message = update.message === null ? null : String(update.message);
    if (message !== null && message.length > MAX_PROGRESS_MESSAGE) {
      throw new ValidationError(
        `message is longer than ${MAX_PROGRESS_MESSAGE} characters (put details in data)`,
        "message",
      );
    }
    patch.message = message;
  }
  if (update.data !== undefined) patch.data = encodeJson(update.data, "data", maxDataBytes);
  return patch;
}

/** Writes one patch (an empty patch is a heartbeat); resolves to "still ours?". */
export type PatchWriter = (patch: ProgressPatch) => Promise<boolean>;

export class ProgressCoalescer {
  #pending: ProgressPatch | null = null;
  #inFlight: Promise<boolean> | null = null;
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #owned = true;
  #trailing: AbortController | null = null;

  constructor(
    private readonly write: PatchWriter,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /**
   * Records a patch. Writes at once when the interval allows (and resolves with the write's
   * answer); otherwise schedules a trailing write and resolves with the last known answer.
   */
  push(patch: ProgressPatch): Promise<boolean> {
    if (!this.#owned) return Promise.resolve(false);
    this.#pending = { ...this.#pending, ...patch };
    if (!this.#inFlight && this.clock.now() - this.#lastWriteAt >= this.intervalMs) {
      return this.#writePending();
    }
    this.#scheduleTrailing();
    return Promise.resolve(this.#owned);
  }

  /** Extends the lease unless a write is already doing so; resolves to "still ours?". */
  async heartbeat(): Promise<boolean> {
    if (this.#inFlight !== null) return this.#inFlight;
    if (!this.#owned) return false;
    if (this.#pending) return this.#writePending();
    this.#lastWriteAt = this.clock.now();
    return this.#track(this.write({}));
  }

  /** Writes whatever is pending now and waits for every write; resolves to "still ours?". */
  async flush(): Promise<boolean> {
    this.#trailing?.abort();
    this.#trailing = null;
    while (this.#inFlight !== null) await this.#inFlight;
    if (this.#pending && this.#owned) await this.#writePending();
    return this.#owned;
  }

  /** Drops pending work and timers (the job ended another way). */
  close(): void {
    this.#trailing?.abort();
    this.#trailing = null;
    this.#pending = null;
  }

  #writePending(): Promise<boolean> {
    const patch = this.#pending ?? {};
    this.#pending = null;
    this.#lastWriteAt = this.clock.now();
    const write = this.write(patch).catch((error: unknown) => {
      // Not stored: keep it (under anything newer) so the next write or flush carries it.
      this.#pending = { ...patch, ...this.#pending };
      throw error;
    });
    return this.#track(write);
  }

  #track(write: Promise<boolean>): Promise<boolean> {
    const tracked = write.then((ok) => {
      this.#owned &&= ok;
      return this.#owned;
    });
    this.#inFlight = tracked;
    const clear = () => {
      if (this.#inFlight === tracked) this.#inFlight = null;
    };
    tracked.then(clear, clear);
    return tracked;
  }

  #scheduleTrailing(): void {
    if (this.#trailing) return;
    const timer = new AbortController();
    this.#trailing = timer;
    const due = Math.max(0, this.#lastWriteAt + this.intervalMs - this.clock.now());
    void this.clock.sleep(due, timer.signal).then(async () => {
      if (timer.signal.aborted) return;
      while (this.#inFlight !== null) await this.#inFlight.catch(() => false);
      this.#trailing = null;
      if (this.#pending && this.#owned) await this.#writePending().catch(() => false);
    });
  }
}
