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

/**
 * A job id: 12 hex digits of milliseconds then 20 random hex digits, so ids sort roughly by
 * creation time (handy in logs and listings) and never collide in practice.
 */
export function newJobId(now: number): string {
  return Math.max(0, Math.floor(now)).toString(16).padStart(12, "0") + randomHex(10);
}

/** A claim token: 128 random bits. Holding it is what entitles a worker to write a job. */
export function newToken(): string {
  return randomHex(16);
}
