/**
 * Short-lived, per-job stream tokens: `v1.<expiresAt>.<signature>`, where the signature is an
 * HMAC-SHA256 (Web Crypto) of the queue name, job id and expiry. A browser gets one at enqueue
 * and follows that one job's stream with `?token=` (EventSource cannot send headers); no
 * vendor call, no storage.
 */

const encoder = new TextEncoder();

function base64url(bytes: ArrayBuffer): string {
  let binary = "";
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The bytes of an unpadded base64url text, or null. Only the canonical spelling is accepted:
 * the last character may carry unused bits that decoders ignore, so without the round-trip
 * check several spellings would decode to the same signature.
 */
function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return base64url(bytes.buffer) === text ? bytes : null;
  } catch {
    return null; // not base64 at all
  }
}

/** Signs and verifies stream tokens with one secret. */
export class StreamTokens {
  readonly #key: Promise<CryptoKey>;

  /** `secret`: 16+ characters (see `assertSecret`, which callers use to name the option). */
  constructor(secret: string) {
    if (typeof secret !== "string" || secret.length < 16) {
      throw new Error("the stream token secret must be at least 16 characters");
    }
    this.#key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }

  /** A token for one job of one queue, valid until `expiresAt` (epoch ms). */
  async sign(queue: string, jobId: string, expiresAt: number): Promise<string> {
    const exp = String(Math.floor(expiresAt));
    const mac = await crypto.subtle.sign(
      "HMAC",
      await this.#key,
      encoder.encode(`${queue}\n${jobId}\n${exp}`),
    );
    return `v1.${exp}.${base64url(mac)}`;
  }

  /** True if the token was signed for this job and has not expired at `now`. */
  async verify(token: string, queue: string, jobId: string, now: number): Promise<boolean> {
    const [version, exp, signature, ...rest] = token.split(".");
    if (version !== "v1" || !exp || !signature || rest.length > 0 || !/^\d+$/.test(exp))
      return false;
    if (Number(exp) <= now) return false;
    const mac = fromBase64url(signature);
    if (!mac) return false;
    const message = encoder.encode(`${queue}\n${jobId}\n${exp}`);
    return crypto.subtle.verify("HMAC", await this.#key, mac, message);
  }
}
