/**
 * One request to the API over `fetch`: the URL, the admin token, JSON in and out, and every
 * failure as a {@link QueueClientError}. Web APIs only.
 */
import { errorFromResponse, networkError, QueueClientError } from "./errors.js";

/** A value, or a function that gives it (called for every request: rotate tokens freely). */
export type Dynamic<T> = T | (() => T | Promise<T>);

/** Options of {@link createClient}. */
export interface ClientOptions {
  /**
   * Where the queue routes are mounted, e.g. `https://api.example/queue`. A path such as
   * `/queue` works where `fetch` takes relative URLs (browsers).
   */
  baseUrl: string;
  /** The admin token, sent as `Authorization: Bearer …`. Leave out in browsers. */
  token?: Dynamic<string | undefined> | undefined;
  /** Your `fetch` (a mock, a custom agent…). Default: the global one, looked up per call. */
  fetch?: ((input: string, init?: RequestInit) => Promise<Response>) | undefined;
  /** Extra headers for every request. */
  headers?: Dynamic<Record<string, string>> | undefined;
}

/** Everything one request may carry. */
export interface RequestSpec {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A stream token: sent as `?token=`, the way the API's read routes accept it. */
  token?: string | undefined;
  signal?: AbortSignal | undefined;
  headers?: Record<string, string>;
}

/** Sends requests; non-2xx answers and network failures throw {@link QueueClientError}. */
export type Send = (method: string, path: string, spec?: RequestSpec) => Promise<Response>;

const resolve = <T>(value: Dynamic<T>): T | Promise<T> =>
  typeof value === "function" ? (value as () => T | Promise<T>)() : value;

/** The request function of one client. */
export function sender(options: ClientOptions): Send {
  if (typeof options?.baseUrl !== "string" || options.baseUrl === "") {
    throw new TypeError("createClient: baseUrl must be a non-empty string");
  }
  const base = options.baseUrl.replace(/\/+$/, "");
  return async (method, path, spec = {}) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...spec.query, token: spec.token })) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.toString() ? `?${params}` : "";
    const token = await resolve(options.token);
    const headers: Record<string, string> = {
      ...(await resolve(options.headers ?? {})),
      ...spec.headers,
    };
    if (token) headers.authorization = `Bearer ${token}`;
    if (spec.body !== undefined) headers["content-type"] = "application/json";
    // Looked up per call, and called detached: a `fetch` captured at load time misses
    // later polyfills, and one called as a method of another object throws in browsers.
    const fetcher = options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetcher(`${base}${path}${search}`, {
        method,
        headers,
        body: spec.body === undefined ? null : JSON.stringify(spec.body),
        signal: spec.signal ?? null,
      });
    } catch (error) {
      spec.signal?.throwIfAborted();
      throw networkError(error);
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  };
}

/** The JSON body of a 2xx answer; anything else is `BAD_RESPONSE`. */
export async function jsonBody<T>(response: Response): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new QueueClientError(response.status, "BAD_RESPONSE", "the answer is not JSON", {
      cause: error,
    });
  }
}

/** `/jobs/<id>` with the id encoded. */
export const jobPath = (id: string, rest = ""): string => `/jobs/${encodeURIComponent(id)}${rest}`;
