/**
 * The dashboard page's entry: sign-in (the token stays in this tab's sessionStorage), the live
 * tick, and the address (`#state=…&job=…`) that says what is shown.
 *
 * Light on the store: one `GET /stats` per tick (every few seconds, only while the tab is
 * visible and not paused); the list is fetched again only when a count moved or it shows
 * active jobs (their progress moves); schedules at most every 30 s; a job's event stream only
 * while its pane is open, the job unfinished and the tab visible.
 */
import type { JobState } from "../../src/client/index.js";
import { Counts, STATES } from "./counts.js";
import { JobDetail } from "./detail.js";
import { announce, byId, refreshTimes, timeOf } from "./dom.js";
import { JobList } from "./jobs.js";
import { Schedules } from "./schedules.js";
import { createSession, describeError, isUnauthorized } from "./session.js";
import { signInForm } from "./sign-in.js";

const body = document.body;
const session = createSession(body.dataset.base ?? "");
const pollMs = Math.max(1_000, Number(body.dataset.pollMs) || 5_000);
let counts: Record<JobState, number> = {
  queued: 0,
  active: 0,
  completed: 0,
  failed: 0,
  cancelled: 0,
};
let live = true;
let timer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
let running = false;
let again = false;

/** Any failed call: a 401 signs out, anything else is said once in the live region. */
function fail(error: unknown): void {
  if (isUnauthorized(error)) signOut("The server refused the token: sign in again.");
  else announce(describeError(error), "error");
}

const countsView = new Counts((state) => setAddress(state, detail.id));
const list = new JobList(
  session,
  fail,
  () => void tick(),
  (state) => counts[state] ?? 0,
);
const detail = new JobDetail(session, fail, () => void tick());
const schedules = new Schedules(session, fail);
const signIn = signInForm(session, () => start());

/** Shows `state`'s jobs, keeping the job open in the detail pane. */
function setAddress(state: JobState, job: string | null): void {
  const params = new URLSearchParams({ state });
  if (job) params.set("job", job);
  location.hash = params.toString();
}

/** Shows what the address names. */
async function route(): Promise<void> {
  const params = new URLSearchParams(location.hash.slice(1));
  const asked = params.get("state") as JobState | null;
  const state = asked && STATES.includes(asked) ? asked : list.state;
  countsView.select(state);
  const job = params.get("job");
  list.select(job);
  if (job !== detail.id) {
    if (job) void detail.open(job);
    else detail.close();
  }
  if (state !== list.state || !list.loaded) await list.show(state);
}

function setLive(text: string, tone: "ok" | "off" | "error"): void {
  const status = byId("live");
  status.textContent = text;
  status.className = `live ${tone}`;
}

/** One live refresh; schedules the next. */
async function tick(): Promise<void> {
  clearTimeout(timer);
  if (!session.ready) return;
  if (running) {
    again = true; // an action changed something while a tick was on its way: tick once more
    return;
  }
  running = true;
  try {
    const next = await session.client.stats();
    const changed = countsView.update(next);
    counts = next;
    failures = 0;
    setLive(live ? "Live" : "Paused", live ? "ok" : "off");
    byId("updated").replaceChildren("· updated ", timeOf(Date.now()));
    if (changed || list.state === "active") await list.reload();
    if (changed) await schedules.maybeLoad();
  } catch (error) {
    failures += 1;
    if (isUnauthorized(error)) {
      fail(error);
      return;
    }
    setLive("Offline · retrying", "error");
  } finally {
    running = false;
  }
  if (again) {
    again = false;
    return tick();
  }
  if (live && !document.hidden && session.ready) {
    timer = setTimeout(() => void tick(), Math.min(pollMs * 2 ** failures, 60_000));
  }
}

/** Signed in (or open routes): shows the app and starts the tick. */
async function start(): Promise<void> {
  session.ready = true;
  byId("sign-in").hidden = true;
  byId("app").hidden = false;
  byId("sign-out").hidden = session.token() === null;
  byId("live-toggle").hidden = false;
  body.dataset.signedIn = "true";
  byId("base").textContent = session.base || "/";
  await route();
  await Promise.all([tick(), schedules.load()]);
}

function signOut(message = ""): void {
  clearTimeout(timer);
  session.signOut();
  session.ready = false;
  detail.close();
  delete body.dataset.signedIn;
  byId("app").hidden = true;
  byId("sign-out").hidden = true;
  byId("live-toggle").hidden = true;
  setLive("", "off");
  signIn.show(message);
}

byId("sign-out").addEventListener("click", () => signOut("Signed out."));
byId("live-toggle").addEventListener("click", (event) => {
  live = !live;
  (event.currentTarget as HTMLElement).textContent = live ? "Pause" : "Resume";
  // Pause stops every call the page makes by itself: the tick and the open job's stream.
  if (live) {
    detail.resume();
    void tick();
  } else {
    detail.pause();
    setLive("Paused", "off");
  }
});
addEventListener("hashchange", () => void (session.ready && route()));
document.addEventListener("visibilitychange", () => {
  if (!session.ready) return;
  if (document.hidden) detail.pause();
  else if (live) {
    detail.resume();
    void tick();
  }
});
document.addEventListener("keydown", (event) => {
  const typing = (event.target as HTMLElement).closest("input, textarea, select, dialog");
  if (event.key === "/" && !typing && session.ready) {
    event.preventDefault();
    byId("search-id").focus();
  }
});
setInterval(() => document.hidden || refreshTimes(), 1_000);

void signIn.boot();
