/** Identifiers minted by the core (Web Crypto only). */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Random bytes are drawn from Web Crypto 4 KiB at a time: one `getRandomValues` call costs about
 * as much as a whole claim on a local database, and every claim and enqueue needs a few bytes.
 */
const POOL_SIZE = 4_096;
let pool = new Uint8Array(0);
let offset = 0;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    offset = 0;
  }
  let out = "";
  for (let i = offset; i < offset + bytes; i++) out += HEX[pool[i] as number];
  offset += bytes;
  return out;
}

/** This process's id counter (see {@link newJobId}). */
let sequence = 0;
const SEQUENCE_SPAN = 0x1000000;

/**
 * A job id: 12 hex digits of milliseconds, 6 of a per-process counter, then 14 random hex
 * digits. The ids one process mints sort in the order it minted them (but where the counter
 * wraps, every 16.7 million ids), so jobs enqueued together sit together in the store's
 * id-ordered indexes (a SQLite claim group's event rows share B-tree pages instead of
 * scattering over many); the random part keeps ids from different processes apart. Opaque to
 * users: only uniqueness is promised.
 */
export function newJobId(now: number): string {
  sequence = (sequence + 1) % SEQUENCE_SPAN;
  const ms = Math.max(0, Math.floor(now)).toString(16).padStart(12, "0");
  return ms + sequence.toString(16).padStart(6, "0") + randomHex(7);
}

/** A claim token: 128 random bits. Holding it is what entitles a worker to write a job. */
export function newToken(): string {
  return randomHex(16);
}
