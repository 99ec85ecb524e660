/**
 * The Worker side of a watch: reads the object's notice stream and calls `onNotice` per
 * chunk. When the object ends the stream (its life is capped, its job finished) while the
 * caller still follows, it watches again and then says notices may have been missed.
 */

/** A stream that ended sooner than this after it opened is watched again only after it. */
export const REWATCH_AFTER_MS = 1_000;

/** Opens a notice stream for the followed job. */
export type OpenWatch = () => Promise<ReadableStream<Uint8Array>>;

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/** Reads one stream to its end (or until `signal` aborts), calling `onNotice` per chunk. */
async function readNotices(
  stream: ReadableStream<Uint8Array>,
  onNotice: () => void,
  signal: AbortSignal,
): Promise<void> {
  const reader = stream.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", stop, { once: true });
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) onNotice();
  } catch {
    // A broken stream is an ended one: the caller is told, and watches again.
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

/** Cancels a stream nobody will read (the object then ends its watch). */
const drop = (stream: ReadableStream<Uint8Array> | null) => void stream?.cancel().catch(() => {});

/**
 * Follows notices from `first` on, re-opening with `open` each time a stream ends, until
 * `signal` aborts. After a stream ends it tells `onNotice` once the next one is open (or
 * could not be): an event appended in between is then read, not lost. Runs in the
 * background; never throws.
 */
export async function followNotices(
  first: ReadableStream<Uint8Array>,
  open: OpenWatch,
  onNotice: () => void,
  signal: AbortSignal,
): Promise<void> {
  let stream: ReadableStream<Uint8Array> | null = first;
  while (!signal.aborted) {
    const openedAt = Date.now();
    if (stream) await readNotices(stream, onNotice, signal);
    if (signal.aborted) return;
    const early = REWATCH_AFTER_MS - (Date.now() - openedAt);
    if (early > 0) await pause(early, signal);
    if (signal.aborted) return;
    stream = await open().catch(() => null);
    if (signal.aborted) return drop(stream);
    onNotice();
  }
  drop(stream);
}
