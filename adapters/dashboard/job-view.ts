/**
 * A job's details as DOM: state, attempts, times, progress, then payload, result, error and
 * progress data as pretty JSON, and one line per event of its log. Text only.
 */
import type { JobStatus, JobUpdate } from "../../src/client/index.js";
import { h, pretty, progressBar, setProgress, timeOf } from "./dom.js";

/** A coloured state label. */
export const badge = (state: string): HTMLElement =>
  h("span", { class: `badge s-${state}` }, state);

const fact = (term: string, value: Node | string, kind?: string) =>
  h("div", { class: kind }, h("dt", {}, term), h("dd", {}, value));

const block = (title: string, value: unknown, kind = "") =>
  h(
    "section",
    { class: `block ${kind}` },
    h("h3", {}, title),
    h("pre", { tabindex: "0" }, pretty(value)),
  );

/** The facts and data of `job`, for the detail pane's body. */
export function jobBody(job: JobStatus): HTMLElement {
  const facts = h(
    "dl",
    { class: "facts" },
    fact("State", badge(job.state)),
    fact("Type", job.type),
    fact("Attempts", `${job.attempts} of ${job.maxAttempts}`),
    fact("Priority", String(job.priority)),
    fact("Created", timeOf(job.createdAt)),
    fact("Updated", timeOf(job.updatedAt), "updated"),
    job.state === "queued" ? fact("Runs", timeOf(job.runAt)) : "",
  );
  const percent = `${Math.round(job.progress * 100)}%`;
  return h(
    "div",
    {},
    facts,
    h(
      "div",
      { class: "big-progress" },
      progressBar(job.progress, job.state),
      h("span", { class: "pct" }, percent),
      h("span", { class: "message" }, job.message ?? ""),
    ),
    job.error
      ? h(
          "section",
          { class: "block error", role: "note" },
          h("h3", {}, "Error"),
          h("p", {}, h("code", {}, job.error.code), " ", job.error.message),
        )
      : "",
    "payload" in job ? block("Payload", job.payload) : "",
    job.result !== null ? block("Result", job.result, "result") : "",
    hasData(job) ? block("Progress data", job.data, "data") : "",
  );
}

const hasData = (job: JobStatus) => job.data !== null && job.data !== undefined;

/**
 * Updates a body made by {@link jobBody} for a progress report, in place; false when it cannot
 * (progress data appeared or went): then render it anew.
 */
export function patchProgress(body: HTMLElement, job: JobStatus): boolean {
  const bar = body.querySelector<HTMLElement>(".big-progress .bar");
  const data = body.querySelector(".data pre");
  if (!bar || hasData(job) !== Boolean(data)) return false;
  setProgress(bar, job.progress, job.state);
  const text = (selector: string, value: string) => {
    const element = body.querySelector(selector);
    if (element) element.textContent = value;
  };
  text(".big-progress .pct", `${Math.round(job.progress * 100)}%`);
  text(".big-progress .message", job.message ?? "");
  body.querySelector(".updated dd")?.replaceChildren(timeOf(job.updatedAt));
  if (data) data.textContent = pretty(job.data);
  return true;
}

/** One entry of the event log. */
export function eventItem(update: JobUpdate): HTMLLIElement {
  const detail =
    update.error?.message ??
    update.message ??
    (update.type === "completed" && update.result !== null ? pretty(update.result) : "");
  const item = h(
    "li",
    { class: `s-${update.state}` },
    h("span", { class: "seq" }, `#${update.seq}`),
    h("span", { class: "kind" }, update.type),
    h("span", { class: "pct" }, `${Math.round(update.progress * 100)}%`),
    h("span", { class: "detail" }, detail),
    timeOf(update.at),
  );
  item.dataset.seq = String(update.seq);
  return item;
}

/** `job` as it stands after `update` (the stream carries everything but the payload). */
export function applyUpdate(job: JobStatus, update: JobUpdate): JobStatus {
  return {
    ...job,
    state: update.state,
    progress: update.progress,
    message: update.message,
    data: update.data,
    attempts: update.attempt,
    runAt: update.runAt,
    updatedAt: update.at,
    seq: update.seq,
    result: update.result,
    error: update.error,
  };
}
