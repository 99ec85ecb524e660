/**
 * A local Hrana-over-HTTP (v2, JSON) endpoint backed by a real libSQL file, so
 * `@libsql/client` can be tested over HTTP exactly as it talks to Turso or sqld.
 *
 * Implements what the HTTP client sends: `execute`, `batch` (with step conditions),
 * `store_sql` / `close_sql`, `sequence`, `get_autocommit` and `close`. Pipelines run one at a
 * time under an async lock, because the embedded engine is synchronous: a busy timeout would
 * freeze the event loop. Interactive transactions that span pipelines are not supported.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "libsql";

type HranaValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

interface HranaStmt {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: Array<{ name: string; value: HranaValue }>;
  want_rows?: boolean;
}

type HranaCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: HranaCond }
  | { type: "and" | "or"; conds: HranaCond[] }
  | { type: "is_autocommit" };

interface HranaError {
  message: string;
  code: string;
}

interface Stream {
  sqls: Map<number, string>;
}

/** A running endpoint. */
export interface HranaServer {
  url: string;
  /** HTTP requests served so far (each is one client round trip). */
  requests: number;
  close(): Promise<void>;
}

function toJs(value: HranaValue): unknown {
  switch (value.type) {
    case "null":
      return null;
    case "integer":
      return BigInt(value.value);
    case "float":
      return value.value;
    case "text":
      return value.value;
    case "blob":
      return Buffer.from(value.base64, "base64");
  }
}

function toHrana(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: "null" };
  if (typeof value === "bigint") return { type: "integer", value: value.toString() };
  if (typeof value === "number") return { type: "float", value };
  if (typeof value === "string") return { type: "text", value };
  return { type: "blob", base64: Buffer.from(value as Uint8Array).toString("base64") };
}

function asError(error: unknown): HranaError {
  const e = error as { message?: string; code?: string };
  return { message: e.message ?? String(error), code: e.code ?? "SQLITE_ERROR" };
}

class Lock {
  #tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Executes Hrana requests against one database. */
class Executor {
  constructor(private readonly db: Database.Database) {}

  execute(stream: Stream, stmt: HranaStmt) {
    const sql = stmt.sql ?? stream.sqls.get(stmt.sql_id ?? -1);
    if (sql === undefined)
      throw Object.assign(new Error("unknown sql_id"), { code: "SQL_NOT_FOUND" });
    const prepared = this.db.prepare(sql);
    const positional = (stmt.args ?? []).map(toJs);
    const named = Object.fromEntries(
      (stmt.named_args ?? []).map(({ name, value }) => [name.replace(/^[:@$]/, ""), toJs(value)]),
    );
    const args = stmt.named_args?.length ? [named] : positional;
    if (prepared.reader) {
      prepared.safeIntegers(true);
      const rows = prepared.raw(true).all(...args) as unknown[][];
      const isSelect = /^\s*(select|with|pragma|values)\b/i.test(sql);
      return {
        cols: prepared.columns().map((c) => ({ name: c.name, decltype: c.type ?? null })),
        rows: stmt.want_rows === false ? [] : rows.map((row) => row.map(toHrana)),
        affected_row_count: isSelect ? 0 : rows.length,
        last_insert_rowid: null,
      };
    }
    const info = prepared.run(...args);
    return {
      cols: [],
      rows: [],
      affected_row_count: Number(info.changes),
      last_insert_rowid: info.lastInsertRowid === undefined ? null : String(info.lastInsertRowid),
    };
  }

  batch(stream: Stream, steps: Array<{ condition?: HranaCond | null; stmt: HranaStmt }>) {
    const stepResults: unknown[] = [];
    const stepErrors: Array<HranaError | null> = [];
    const ran: boolean[] = [];
    const check = (cond: HranaCond): boolean => {
      switch (cond.type) {
        case "ok":
          return ran[cond.step] === true && stepErrors[cond.step] === null;
        case "error":
          return ran[cond.step] === true && stepErrors[cond.step] !== null;
        case "not":
          return !check(cond.cond);
        case "and":
          return cond.conds.every(check);
        case "or":
          return cond.conds.some(check);
        case "is_autocommit":
          return !this.db.inTransaction;
      }
    };
    steps.forEach((step, i) => {
      ran[i] = !step.condition || check(step.condition);
      stepResults[i] = null;
      stepErrors[i] = null;
      if (!ran[i]) return;
      try {
        stepResults[i] = this.execute(stream, step.stmt);
      } catch (error) {
        stepErrors[i] = asError(error);
      }
    });
    return { step_results: stepResults, step_errors: stepErrors };
  }
}

/** Starts the endpoint on a free loopback port over the database file at `path`. */
export async function startHranaServer(options: {
  path: string;
  authToken?: string;
}): Promise<HranaServer> {
  const db = new Database(options.path);
  db.exec("PRAGMA journal_mode = WAL");
  const executor = new Executor(db);
  const lock = new Lock();
  const streams = new Map<string, Stream>();
  let batons = 0;
  const state = { requests: 0 };

  const handle = async (body: string) => {
    const pipeline = JSON.parse(body) as {
      baton?: string | null;
      requests: Array<Record<string, unknown>>;
    };
    const baton = pipeline.baton ?? null; // the client omits a null baton
    const stream = baton === null ? { sqls: new Map<number, string>() } : streams.get(baton);
    if (!stream) return { status: 400, body: { message: "unknown baton", code: "STREAM_EXPIRED" } };
    if (baton !== null) streams.delete(baton);
    const current = stream;
    let closed = false;
    const results = pipeline.requests.map((request) => {
      try {
        const response = (() => {
          switch (request.type) {
            case "execute":
              return {
                type: "execute",
                result: executor.execute(current, request.stmt as HranaStmt),
              };
            case "batch": {
              const batch = request.batch as {
                steps: Array<{ condition?: HranaCond; stmt: HranaStmt }>;
              };
              return { type: "batch", result: executor.batch(current, batch.steps) };
            }
            case "sequence": {
              const sql =
                (request.sql as string | undefined) ?? current.sqls.get(request.sql_id as number);
              db.exec(sql ?? "");
              return { type: "sequence" };
            }
            case "store_sql":
              current.sqls.set(request.sql_id as number, request.sql as string);
              return { type: "store_sql" };
            case "close_sql":
              current.sqls.delete(request.sql_id as number);
              return { type: "close_sql" };
            case "get_autocommit":
              return { type: "get_autocommit", is_autocommit: !db.inTransaction };
            case "close":
              closed = true;
              return { type: "close" };
            default:
              throw Object.assign(new Error(`unsupported request ${String(request.type)}`), {
                code: "UNSUPPORTED",
              });
          }
        })();
        return { type: "ok", response };
      } catch (error) {
        return { type: "error", error: asError(error) };
      }
    });
    if (db.inTransaction) {
      db.exec("ROLLBACK"); // transactions never outlive one pipeline here
    }
    let next: string | null = null;
    if (!closed) {
      next = `b${++batons}`;
      streams.set(next, current);
    }
    return { status: 200, body: { baton: next, base_url: null, results } };
  };

  const server: Server = createServer((req, res) => {
    state.requests += 1;
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (options.authToken && req.headers.authorization !== `Bearer ${options.authToken}`) {
      return reply(401, { message: "unauthorized", code: "UNAUTHORIZED" });
    }
    if (req.method !== "POST" || req.url !== "/v2/pipeline") {
      return reply(404, { message: "not found", code: "NOT_FOUND" });
    }
    readBody(req)
      .then((body) => lock.run(() => handle(body)))
      .then(({ status, body }) => reply(status, body))
      .catch((error: unknown) => reply(400, asError(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
