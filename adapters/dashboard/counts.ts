/**
 * Counts per state, as a row of buttons that also choose which state's jobs are listed. Each
 * state has its colour (`s-<state>` classes in the stylesheet).
 */
import type { JobCounts, JobState } from "../../src/client/index.js";
import { byId, h } from "./dom.js";

/** Every state, in the order the API counts them. */
export const STATES: readonly JobState[] = ["queued", "active", "completed", "failed", "cancelled"];

/** The count buttons; `onSelect` is called with the state the user picked. */
export class Counts {
  readonly #buttons = new Map<JobState, { button: HTMLButtonElement; value: HTMLElement }>();
  #last = "";

  constructor(onSelect: (state: JobState) => void) {
    const nav = byId("counts");
    for (const state of STATES) {
      const value = h("strong", {}, "–");
      const button = h(
        "button",
        { type: "button", class: `count s-${state}`, "aria-pressed": "false" },
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", { class: "name" }, state),
        value,
      );
      button.dataset.state = state;
      button.addEventListener("click", () => onSelect(state));
      nav.append(button);
      this.#buttons.set(state, { button, value });
    }
  }

  /** Shows `counts`; returns true if any count differs from the previous call's. */
  update(counts: JobCounts): boolean {
    for (const [state, { value }] of this.#buttons) {
      value.textContent = (counts[state] ?? 0).toLocaleString();
    }
    const key = STATES.map((state) => counts[state] ?? 0).join(",");
    const changed = key !== this.#last;
    this.#last = key;
    return changed;
  }

  /** Marks the state whose jobs are listed. */
  select(state: JobState): void {
    for (const [each, { button }] of this.#buttons) {
      button.setAttribute("aria-pressed", String(each === state));
    }
  }
}
