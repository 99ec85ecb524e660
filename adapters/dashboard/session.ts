/**
 * The signed-in session: the API token, kept in this tab's `sessionStorage` only, and a client
 * of the queue's API (the package's own `createClient`) that sends it as a bearer token on every
 * call, event streams included. The token never goes into a URL, a log or the DOM.
 */
import { createClient, type QueueClient, QueueClientError } from "../../src/client/index.js";

/** A signed-in (or open) connection to the queue routes mounted at `base`. */
export interface Session {
  /** Where the queue routes are mounted, e.g. `/queue`. */
  base: string;
  client: QueueClient;
  /** True once signed in (or the routes need no token): the page shows the app. */
  ready: boolean;
  /** The stored token, or null (routes opened with `auth: false` need none). */
  token(): string | null;
  /** Stores the token for this tab. */
  signIn(token: string): void;
  /** Forgets the token. */
  signOut(): void;
  /** How many event streams this session opened (reconnects included). */
  streams(): number;
  /** A plain request to another route (schedules) with the same bearer token. */
  request(method: string, path: string): Promise<Response>;
}

/** Creates the session; no I/O. */
export function createSession(base: string, storage: Storage = sessionStorage): Session {
  const key = `jdobb-async-queue:dashboard:${base}`;
  let opened = 0;
  const token = () => storage.getItem(key);
  const headers = (): Record<string, string> => {
    const value = token();
    return value ? { authorization: `Bearer ${value}` } : {};
  };
  const client = createClient({
    baseUrl: base || "/",
    token: () => token() ?? undefined,
    fetch: (url, init) => {
      if (/\/events(\?|$)/.test(url)) opened += 1;
      return fetch(url, init);
    },
  });
  return {
    base,
    client,
    ready: false,
    token,
    signIn: (value) => storage.setItem(key, value),
    signOut: () => storage.removeItem(key),
    streams: () => opened,
    request: (method, path) =>
      fetch(`${base}${path}`, { method, headers: headers(), cache: "no-store" }),
  };
}

/** True for the API's "who are you?" answer: the token is missing, wrong or revoked. */
export function isUnauthorized(error: unknown): boolean {
  return (error as { status?: unknown } | null)?.status === 401;
}

/** One line for a failed call, from the API's error code and fixed-text message. */
export function describeError(error: unknown): string {
  if (error instanceof QueueClientError) {
    if (error.code === "NETWORK") return "The server did not answer (offline?)";
    return `${error.message} (${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
