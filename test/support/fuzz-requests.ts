/**
 * Random malformed requests for the queue routes, from a seeded PRNG (mulberry32): the same
 * seed gives the same requests, so a failure replays exactly.
 */
import { mulberry32 } from "../../scripts/chaos/prng.js";
import { ADMIN, CRON } from "./routes-app.js";

export { mulberry32 };

/** A PRNG: uniform numbers in [0, 1). */
export type Rng = () => number;

/** What earlier 2xx answers revealed, so requests can hit real jobs and real cursors. */
export interface FuzzMemory {
  jobs: Array<{ id: string; token?: string }>;
  cursors: string[];
}

/** One request to send: a path under the mount point and its init. */
export interface FuzzRequest {
  path: string;
  init: RequestInit & { method: string; headers: Record<string, string> };
}

/** The largest body the fuzzed app accepts (kept small so "huge" bodies stay cheap). */
export const FUZZ_MAX_BODY_BYTES = 32_000;

const METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "FOO"];
const FIELDS = ["type", "payload", "priority", "delayMs", "runAt", "maxAttempts"];
const MORE_FIELDS = ["idempotencyKey", "backoff", "jobs", "__proto__", "constructor", "x"];
const STATES = ["queued", "active", "completed", "failed", "cancelled"];
const CONTENT_TYPES = [
  "application/json",
  "application/json",
  "application/json; charset=utf-8",
  "application/vnd.api+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/jsonx",
  "",
];

/** Percent-encodes any text; lone surrogates (which encodeURIComponent refuses) become "?". */
const encode = (text: string) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, "?"));

/** A header value (headers carry bytes only): printable ASCII of `text`. */
const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, "");

export class FuzzRequests {
  constructor(
    private readonly rng: Rng,
    private readonly memory: FuzzMemory,
  ) {}

  int(below: number): number {
    return Math.floor(this.rng() * below);
  }

  chance(p: number): boolean {
    return this.rng() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A string of random code units: ASCII, control characters, non-BMP and lone surrogates. */
  string(maxLength = 20): string {
    const length = this.chance(0.02) ? 2_000 + this.int(3_000) : this.int(maxLength);
    let out = "";
    for (let i = 0; i < length; i++) {
      const kind = this.int(10);
      if (kind < 6) out += String.fromCharCode(32 + this.int(95));
      else if (kind === 6) out += String.fromCharCode(this.int(32));
      else if (kind === 7)
        out += String.fromCharCode(0xd800 + this.int(0x800)); // lone surrogate
      else if (kind === 8) out += "😀";
      else out += this.pick(['"', "\\", "[", "{", "}", "]", "%", "/", "\u2028"]);
    }
    return out;
  }

  number(): number {
    return this.pick([
      0,
      -0,
      1,
      -1,
      1.5,
      2 ** 53,
      -(2 ** 31),
      1e308,
      -1e308,
      Number.MIN_VALUE,
      this.int(1_000_000),
      this.rng() * 1e12 - 5e11,
    ]);
  }

  /** Any JSON value, nested at most `depth` more levels. */
  value(depth = 3): unknown {
    const kind = this.int(depth > 0 ? 8 : 5);
    if (kind === 0) return null;
    if (kind === 1) return this.chance(0.5);
    if (kind === 2) return this.number();
    if (kind === 3 || kind === 4) return this.string();
    if (kind === 5) return Array.from({ length: this.int(4) }, () => this.value(depth - 1));
    const object: Record<string, unknown> = {};
    for (let i = this.int(4); i > 0; i--) {
      const key = this.chance(0.5) ? this.pick([...FIELDS, ...MORE_FIELDS]) : this.string(8);
      object[key] = this.value(depth - 1);
    }
    return object;
  }

  /** Brackets nested `levels` deep, somewhere inside an otherwise plausible job. */
  deep(levels: number): string {
    const open = this.chance(0.5) ? "[" : '{"a":';
    const close = open === "[" ? "]" : "}";
    const inner = `${open.repeat(levels)}1${close.repeat(levels)}`;
    const field = this.pick(["backoff", "payload", "priority", "x"]);
    const job = `{"type":"echo","${field}":${inner}}`;
    return this.chance(0.3) ? `{"jobs":[${job}]}` : job;
  }

  /** A job-shaped object, mostly plausible, with random mistakes. */
  job(): Record<string, unknown> {
    const job: Record<string, unknown> = {
      type: this.chance(0.7) ? this.pick(["echo", "echo", "resize", "nope"]) : this.value(1),
    };
    if (this.chance(0.6)) job.payload = this.chance(0.5) ? { url: this.string() } : this.value();
    for (const key of ["priority", "delayMs", "maxAttempts"]) {
      if (this.chance(0.15)) job[key] = this.chance(0.5) ? this.int(5) : this.value(1);
    }
    if (this.chance(0.1)) job.runAt = this.pick([this.string(), this.number(), "2030-01-01"]);
    if (this.chance(0.1)) job.idempotencyKey = this.chance(0.5) ? this.string() : this.value(1);
    if (this.chance(0.15)) {
      job.backoff = this.chance(0.5)
        ? { type: this.pick(["fixed", "exponential", "x"]), delayMs: this.value(1) }
        : this.value(2);
    }
    if (this.chance(0.1)) job[this.string(8)] = this.value(1);
    return job;
  }

  /** A body: JSON of any shape, broken JSON, deep nesting, huge, or not UTF-8 at all. */
  body(): BodyInit | undefined {
    switch (this.int(12)) {
      case 0:
        return undefined;
      case 1:
        return JSON.stringify(this.value());
      case 2:
        return JSON.stringify(this.job()).slice(0, this.int(40));
      case 3:
        return this.deep(this.pick([63, 64, 65, 3_000, 10_000]));
      case 4:
        return `{"type":"echo","payload":"${"x".repeat(FUZZ_MAX_BODY_BYTES)}"}`;
      case 5:
        return Uint8Array.from({ length: this.int(64) }, () => this.int(256));
      case 6: {
        const bytes = new TextEncoder().encode(JSON.stringify(this.job()));
        bytes[this.int(bytes.length)] = this.pick([0xff, 0xc3, 0xe2, 0x80]);
        return bytes;
      }
      case 7: {
        const jobs = Array.from({ length: this.pick([0, 1, 2, 3, 101]) }, () => this.job());
        return JSON.stringify(this.chance(0.8) ? { jobs } : { jobs: this.value(1) });
      }
      default:
        return JSON.stringify(this.job());
    }
  }

  /** A job id: a real one, or something hostile. */
  id(): string {
    if (this.memory.jobs.length > 0 && this.chance(0.5)) return this.pick(this.memory.jobs).id;
    return this.pick([
      encode(this.string(12)) || "x",
      "%E0%A4%A",
      "%zz",
      "..",
      "%2F..%2F",
      "x".repeat(3_000),
      "01J0000000000000000000000",
    ]);
  }

  /** A stream token: real, damaged, for another job, or garbage. */
  token(): string {
    const real = this.memory.jobs.filter((j) => j.token).map((j) => j.token as string);
    const token = real.length > 0 ? this.pick(real) : "v1.1.AAAA";
    switch (this.int(5)) {
      case 0:
        return token;
      case 1:
        return `${token.slice(0, -1)}${this.pick(["A", "B", "C", "D", "_", "-"])}`;
      case 2:
        return token.replace(/\.\d+\./, `.${this.number()}.`);
      case 3:
        return this.string();
      default:
        return `${token}=`;
    }
  }

  query(): string {
    const params: Array<[string, string]> = [];
    const add = (name: string, value: () => string) => {
      if (this.chance(0.25)) params.push([name, value()]);
    };
    add("state", () =>
      this.chance(0.5) ? this.pick(STATES) : `${this.pick(STATES)},${this.string(5)}`,
    );
    add("limit", () =>
      this.pick(["0", "1", "5", "1000", "1001", "-1", "1.5", "1e3", this.string(4)]),
    );
    add("cursor", () =>
      this.memory.cursors.length > 0 && this.chance(0.5)
        ? this.pick(this.memory.cursors)
        : this.string(),
    );
    add("after", () => this.pick(["0", "1", "3", "9".repeat(16), "-1", "1.5", this.string(4)]));
    add("waitMs", () => this.pick(["0", "1", "5", "6", "-1", "1e1", "NaN", this.string(3)]));
    add("token", () => this.token());
    if (this.chance(0.05)) params.push([this.string(5), this.string(5)]);
    if (params.length === 0) return "";
    const raw = this.chance(0.05);
    return `?${params
      .map(([k, v]) => (raw ? `${k}=${v}` : `${encode(k)}=${encode(v)}`))
      .join("&")}`;
  }

  /** A route of the API with its method, or (now and then) a path that is none. */
  route(): [method: string, path: string] {
    const id = () => this.id();
    const routes: Array<[string, () => string]> = [
      ["POST", () => "/jobs"],
      ["POST", () => "/jobs"],
      ["POST", () => "/jobs/batch"],
      ["GET", () => "/jobs"],
      ["DELETE", () => "/jobs"],
      ["GET", () => `/jobs/${id()}`],
      ["GET", () => `/jobs/${id()}/events`],
      ["GET", () => `/jobs/${id()}/result`],
      ["POST", () => `/jobs/${id()}/cancel`],
      ["POST", () => `/jobs/${id()}/retry`],
      ["GET", () => "/stats"],
      [this.pick(["GET", "POST"]), () => "/cron"],
      [
        "GET",
        () => this.pick(["", "/", "/jobs/", "//jobs", "/JOBS", "/stats/x", `/jobs/${id()}/x`]),
      ],
      ["GET", () => `/${encode(this.string(10))}`],
    ];
    const [method, path] = this.pick(routes);
    return [this.chance(0.85) ? method : this.pick(METHODS), path()];
  }

  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    const auth = this.int(9); // 8: no credentials
    if (auth < 5) headers.authorization = `Bearer ${ADMIN}`;
    else if (auth === 5) headers.authorization = `Bearer ${CRON}`;
    else if (auth === 6) headers.authorization = `Bearer ${ascii(this.token())}`;
    else if (auth === 7) headers.authorization = this.pick(["Bearer", "Basic x", "Bearer  a b"]);
    if (this.chance(0.8)) headers["content-type"] = this.pick(CONTENT_TYPES);
    if (this.chance(0.15)) {
      headers["last-event-id"] = this.pick(["0", "2", "9".repeat(20), "-1", "x", " 1", "1e2"]);
    }
    if (this.chance(0.1)) headers["idempotency-key"] = this.pick(["k1", "k2", "x".repeat(300)]);
    return headers;
  }

  /** The next request. */
  next(): FuzzRequest {
    const [method, path] = this.route();
    const body = method === "GET" || method === "HEAD" ? undefined : this.body();
    return { path: `${path}${this.query()}`, init: { method, headers: this.headers(), body } };
  }
}
