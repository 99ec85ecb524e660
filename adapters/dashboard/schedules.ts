/**
 * Schedules, when the routes have them: `GET <base>/schedules` lists them, `DELETE
 * <base>/schedules/:id` removes one (after the confirm dialog). Routes without schedules
 * answer 404, and the panel stays hidden.
 */
import { confirmAction } from "./confirm.js";
import { announce, byId, fill, h, timeOf } from "./dom.js";
import type { Session } from "./session.js";

/** One schedule as `GET /schedules` lists it (times in epoch ms). */
export interface Schedule {
  id: string;
  cron: string;
  timezone?: string;
  type: string;
  nextRunAt: number | null;
  lastRunAt?: number | null;
  catchUp?: string;
}

/** A failed schedules call, shaped like the client's errors (status, code, message). */
class ScheduleError extends Error {
  constructor(readonly status: number) {
    super(`the schedules route answered ${status}`);
  }
}

/** Refreshes at most this often when job counts move (a schedule firing enqueues jobs). */
const MIN_REFRESH_MS = 30_000;

/** The schedules panel. */
export class Schedules {
  #loadedAt = 0;

  constructor(
    private readonly session: Session,
    private readonly fail: (error: unknown) => void,
  ) {
    byId("schedules-refresh").addEventListener("click", () => void this.load());
  }

  /** Loads the list now; hides the panel when the routes have no schedules (404). */
  async load(): Promise<void> {
    this.#loadedAt = Date.now();
    try {
      const response = await this.session.request("GET", "/schedules");
      if (response.status === 404) {
        byId("schedules").hidden = true;
        return;
      }
      if (!response.ok) throw new ScheduleError(response.status);
      const { schedules } = (await response.json()) as { schedules: Schedule[] };
      this.#render(schedules);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Loads again unless it did so recently. */
  async maybeLoad(): Promise<void> {
    if (Date.now() - this.#loadedAt >= MIN_REFRESH_MS) await this.load();
  }

  #render(schedules: Schedule[]): void {
    byId("schedules").hidden = false;
    byId("schedules-empty").hidden = schedules.length > 0;
    fill(byId("schedule-rows"), ...schedules.map((schedule) => this.#row(schedule)));
  }

  #row(schedule: Schedule): HTMLTableRowElement {
    const remove = h("button", { type: "button", class: "small danger" }, "Remove…");
    remove.addEventListener("click", () => void this.#remove(schedule));
    const when = (at: number | null | undefined) => (at ? timeOf(at) : "—");
    return h(
      "tr",
      {},
      h("td", { class: "mono" }, schedule.id),
      h("td", { class: "type" }, schedule.type),
      h(
        "td",
        { class: "mono wrap" },
        schedule.cron,
        schedule.timezone ? ` (${schedule.timezone})` : "",
      ),
      h("td", {}, when(schedule.nextRunAt)),
      h("td", { class: "wide-only" }, when(schedule.lastRunAt)),
      h("td", {}, remove),
    );
  }

  async #remove(schedule: Schedule): Promise<void> {
    const ok = await confirmAction({
      title: "Remove this schedule?",
      text: `Schedule ${schedule.id} (${schedule.type}, ${schedule.cron}) stops enqueueing jobs. Jobs it already enqueued stay.`,
      confirm: "Remove schedule",
    });
    if (!ok) return;
    try {
      const response = await this.session.request(
        "DELETE",
        `/schedules/${encodeURIComponent(schedule.id)}`,
      );
      if (!response.ok) throw new ScheduleError(response.status);
      // 200 with `deleted: false`: it was not there (removed meanwhile): nothing was removed.
      const { deleted } = (await response.json()) as { deleted?: boolean };
      if (deleted !== true) throw new Error(`Schedule ${schedule.id} was not found.`);
      announce("Schedule removed.");
    } catch (error) {
      this.fail(error);
    }
    await this.load();
  }
}
