/**
 * The jobs of one state, a page at a time (the API's cursor paging, in insertion order), with
 * a search by id and a purge of finished states. A row links to `#job=<id>`: the detail pane
 * follows the address, so Back and a reload keep the job open.
 */
import type { JobState, JobStatus } from "../../src/client/index.js";
import { confirmAction } from "./confirm.js";
import { announce, byId, fill, h, progressBar, timeOf } from "./dom.js";
import type { Session } from "./session.js";

const PAGE_SIZE = 20;
const PURGEABLE: readonly JobState[] = ["completed", "failed", "cancelled"];

/** The address of a job's detail, next to the list of `state`. */
export const jobHref = (id: string, state: JobState): string =>
  `#${new URLSearchParams({ state, job: id })}`;

/** The job list pane. */
export class JobList {
  state: JobState = "queued";
  /** Cursors of the pages visited; the last is the page shown. */
  #pages: Array<string | null> = [null];
  #next: string | null = null;
  #selected: string | null = null;
  #loads = 0;

  constructor(
    private readonly session: Session,
    private readonly fail: (error: unknown) => void,
    private readonly changed: () => void,
    private readonly countOf: (state: JobState) => number,
  ) {
    byId("prev").addEventListener("click", () => this.#page(-1));
    byId("next").addEventListener("click", () => this.#page(1));
    byId("purge").addEventListener("click", () => void this.#purge());
    byId("search").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = byId<HTMLInputElement>("search-id");
      const id = input.value.trim();
      if (id) location.hash = jobHref(id, this.state);
    });
  }

  /** Whether a page was asked for yet. */
  get loaded(): boolean {
    return this.#loads > 0;
  }

  /** Lists `state` from its first page. */
  async show(state: JobState): Promise<void> {
    this.state = state;
    this.#pages = [null];
    byId("jobs-title").textContent = `${state[0]?.toUpperCase()}${state.slice(1)} jobs`;
    const purge = byId<HTMLButtonElement>("purge");
    purge.hidden = !PURGEABLE.includes(state);
    purge.textContent = `Purge ${state}…`;
    await this.reload();
  }

  /** Loads the page shown again (the live tick calls this when counts move). */
  async reload(): Promise<void> {
    const load = ++this.#loads;
    const cursor = this.#pages.at(-1) ?? null;
    try {
      const page = await this.session.client.list({ state: this.state, limit: PAGE_SIZE, cursor });
      if (load !== this.#loads) return; // a newer load is on its way
      this.#next = page.cursor;
      this.#render(page.jobs);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Highlights the row of the job shown in the detail pane. */
  select(id: string | null): void {
    this.#selected = id;
    for (const row of byId("rows").querySelectorAll<HTMLElement>("tr")) {
      if (row.dataset.id === id) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    }
  }

  #render(jobs: JobStatus[]): void {
    // A live reload must not take the keyboard's place away: focus the same job's link again.
    const focused = (document.activeElement as HTMLElement | null)?.closest("tr")?.dataset.id;
    const rows = jobs.map((job) => this.#row(job));
    fill(byId("rows"), ...rows);
    rows
      .find((row) => row.dataset.id === focused)
      ?.querySelector("a")
      ?.focus();
    byId("empty").hidden = jobs.length > 0;
    byId<HTMLButtonElement>("prev").disabled = this.#pages.length <= 1;
    byId<HTMLButtonElement>("next").disabled = this.#next === null;
    byId("page").textContent = `Page ${this.#pages.length}`;
    this.select(this.#selected);
  }

  #row(job: JobStatus): HTMLTableRowElement {
    const href = jobHref(job.id, this.state);
    const link = h("a", { href, class: "id", title: job.id }, job.id);
    const future = job.state === "queued" && job.runAt > Date.now();
    const when = h(
      "td",
      { class: "when" },
      future ? "runs " : "",
      timeOf(future ? job.runAt : job.updatedAt),
    );
    const row = h(
      "tr",
      { class: `s-${job.state}` },
      h("td", { class: "cell-id" }, link),
      h("td", { class: "type" }, job.type),
      h(
        "td",
        {},
        h(
          "div",
          { class: "pcell" },
          progressBar(job.progress, job.state),
          h("span", { class: "pct" }, `${Math.round(job.progress * 100)}%`),
        ),
      ),
      h("td", { class: "attempts" }, `${job.attempts}/${job.maxAttempts}`),
      when,
    );
    row.dataset.id = job.id;
    // The whole row is a target for the pointer; the link is the keyboard's.
    row.addEventListener("click", (event) => {
      if (event.target !== link) location.hash = href;
    });
    return row;
  }

  async #page(step: 1 | -1): Promise<void> {
    if (step === 1 && this.#next !== null) this.#pages.push(this.#next);
    if (step === -1 && this.#pages.length > 1) this.#pages.pop();
    await this.reload();
  }

  async #purge(): Promise<void> {
    const state = this.state;
    const count = this.countOf(state);
    const confirmed = await confirmAction({
      title: `Purge ${state} jobs?`,
      text: `This deletes ${count === 1 ? "1 job" : `${count.toLocaleString()} jobs`} in state ${state}, and their event logs. It cannot be undone.`,
      confirm: `Purge ${state}`,
    });
    if (!confirmed) return;
    try {
      const purged = await this.session.client.purge([state]);
      announce(`Purged ${purged === 1 ? "1 job" : `${purged.toLocaleString()} jobs`}.`);
      this.changed();
    } catch (error) {
      this.fail(error);
    }
  }
}
