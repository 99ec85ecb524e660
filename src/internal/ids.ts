/** Identifiers minted by the core (Web Crypto only). */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of buf) out += HEX[b];
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
