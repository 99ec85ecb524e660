/**
 * The detail pane of one job: its data (one `get`), then its whole event log followed live with
 * the client's `events()` from sequence 0, which reconnects by itself and resumes after the
 * last event shown. A log can hold more than one terminal event (a failed job redriven), and
 * the stream ends at each: the pane then asks whether the job moved on, and follows again.
 * Retry and cancel go through the confirm dialog.
 */
import type { JobStatus, JobUpdate } from "../../src/client/index.js";
import { QueueClientError } from "../../src/client/index.js";
import { confirmAction, type Question } from "./confirm.js";
import { announce, byId, fill, h } from "./dom.js";
import { applyUpdate, eventItem, jobBody, patchProgress } from "./job-view.js";
import type { Session } from "./session.js";

const MAX_EVENTS_SHOWN = 500;
const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** The job detail pane. */
export class JobDetail {
  #id: string | null = null;
  #job: JobStatus | null = null;
  #follow: AbortController | null = null;
  #last = 0;
  /** Events shown, and how many did not follow the one before (0: no gap, no repeat). */
  #shown = { count: 0, breaks: 0 };
  /** Streams the session had opened before this job's: the rest are this job's connections. */
  #streamsBefore = 0;
  readonly #pane = byId("detail");

  constructor(
    private readonly session: Session,
    private readonly fail: (error: unknown) => void,
    private readonly changed: () => void,
  ) {
    byId("detail-close").addEventListener("click", () => {
      location.hash = "";
    });
    this.#pane.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !byId<HTMLDialogElement>("confirm").open) location.hash = "";
    });
    byId("retry").addEventListener("click", () => void this.#retry());
    byId("cancel").addEventListener("click", () => void this.#cancel());
  }

  /** The id of the job shown, if any. */
  get id(): string | null {
    return this.#id;
  }

  /** Shows job `id` and follows its events. */
  async open(id: string): Promise<void> {
    this.close();
    this.#id = id;
    this.#streamsBefore = this.session.streams();
    this.#pane.hidden = false;
    byId("detail-id").textContent = id;
    fill(byId("detail-body"), h("p", { class: "muted" }, "Loading…"));
    fill(byId("events"));
    this.#status("");
    this.#actions(null);
    byId("detail-title").focus({ preventScroll: true });
    this.#pane.scrollIntoView({ block: "nearest" });
    try {
      this.#show(await this.session.client.get(id));
    } catch (error) {
      if (this.#id !== id) return;
      if (error instanceof QueueClientError && error.code === "JOB_NOT_FOUND") {
        fill(
          byId("detail-body"),
          h(
            "p",
            { class: "muted" },
            "No job with this id (it may have been purged, or expired after its retention).",
          ),
        );
        return;
      }
      this.fail(error);
      return;
    }
    this.resume();
  }

  /** Hides the pane and stops following. */
  close(): void {
    this.pause();
    this.#id = null;
    this.#job = null;
    this.#last = 0;
    this.#shown = { count: 0, breaks: 0 };
    this.#pane.hidden = true;
    for (const key of ["state", "events", "breaks", "lastSeq"]) delete this.#pane.dataset[key];
  }

  /** Stops the stream (the tab is hidden); {@link resume} picks up where it stopped. */
  pause(): void {
    this.#follow?.abort();
    this.#follow = null;
  }

  /** Follows the job again, after the last event shown, unless it is finished. */
  resume(): void {
    if (!this.#job || this.#follow) return;
    const follow = new AbortController();
    this.#follow = follow;
    void this.#stream(this.#job.id, follow.signal);
  }

  async #stream(id: string, signal: AbortSignal): Promise<void> {
    const { client } = this.session;
    try {
      for (;;) {
        this.#status("live");
        for await (const update of client.events(id, { after: this.#last, signal })) {
          this.#apply(update);
        }
        // The stream ended at a terminal event: the job may have moved on since (a redrive).
        const job = await client.get(id, { signal });
        if (job.seq <= this.#last) {
          this.#show(job);
          this.#status("finished");
          break;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      this.#status("stream stopped");
      this.fail(error);
    } finally {
      if (this.#follow?.signal === signal) this.#follow = null;
    }
  }

  #apply(update: JobUpdate): void {
    if (!this.#job) return;
    if (update.seq !== this.#last + 1) this.#shown.breaks += 1;
    this.#shown.count += 1;
    this.#last = update.seq;
    Object.assign(this.#pane.dataset, {
      events: this.#shown.count,
      breaks: this.#shown.breaks,
      lastSeq: update.seq,
    });
    const job = applyUpdate(this.#job, update);
    // Progress alone moves the bar in place: focus and scroll in the pane stay where they are.
    if (update.type === "progress" && patchProgress(byId("detail-body"), job)) this.#job = job;
    else this.#show(job);
    this.#status("live");
    const log = byId("events");
    log.prepend(eventItem(update));
    while (log.childElementCount > MAX_EVENTS_SHOWN) log.lastElementChild?.remove();
  }

  #show(job: JobStatus): void {
    if (job.id !== this.#id) return;
    this.#job = this.#job && !("payload" in job) ? { ...job, payload: this.#job.payload } : job;
    this.#pane.dataset.state = job.state;
    byId("detail-title").textContent = `${job.type} job`;
    fill(byId("detail-body"), jobBody(this.#job));
    this.#actions(job);
  }

  #actions(job: JobStatus | null): void {
    byId<HTMLButtonElement>("retry").disabled = job?.state !== "failed";
    byId<HTMLButtonElement>("cancel").disabled = !job || FINISHED.has(job.state);
  }

  #status(text: string): void {
    const opens = this.session.streams() - this.#streamsBefore;
    const reconnects = text === "live" && opens > 1 ? ` · ${opens} connections` : "";
    byId("follow-status").textContent = text ? `${text}${reconnects}` : "";
    this.#pane.dataset.opens = String(opens);
  }

  /** Confirms `question`, then runs `action` on the job shown; says what it did. */
  async #act(question: Question, action: (id: string) => Promise<string>): Promise<void> {
    const id = this.#id;
    if (!id || !(await confirmAction(question)) || id !== this.#id) return;
    try {
      announce(await action(id));
      this.changed();
      // A redriven job has more to show; a cancelled one ends its stream. The follow is started
      // anew: one still running may be at its last check, answered before the action.
      this.pause();
      this.resume();
    } catch (error) {
      this.fail(error);
    }
  }

  #retry(): Promise<void> {
    return this.#act(
      {
        title: "Retry this job?",
        text: "It goes back to the queue with a fresh set of attempts.",
        confirm: "Retry job",
      },
      async (id) => {
        await this.session.client.retry(id);
        return "Job queued again.";
      },
    );
  }

  #cancel(): Promise<void> {
    return this.#act(
      {
        title: "Cancel this job?",
        text: "A queued job ends at once; a running one is stopped at its next heartbeat.",
        confirm: "Cancel job",
        dismiss: "Keep it",
      },
      async (id) => {
        const { cancelled } = await this.session.client.cancel(id);
        return cancelled ? "Job cancelled." : "The job had already finished.";
      },
    );
  }
}
