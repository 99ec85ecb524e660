/**
 * Small DOM helpers for the dashboard. Job data only ever becomes text (`append(string)`,
 * `textContent`) or a quoted attribute value, never markup: nothing here parses HTML.
 */

type Child = Node | string | null | undefined | false;

/**
 * An element with attributes and children; strings become text nodes, falsy children are left
 * out. `class` sets the class name; other attributes are set as given (never `on…` handlers).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/** The element with this id, which the page's shell is known to have. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the dashboard page has no #${id}`);
  return element as T;
}

/** "3 s ago", "5 min ago", "in 2 h": how far `at` is from `now`, in the largest whole unit. */
export function relative(at: number, now = Date.now()): string {
  const seconds = Math.round((now - at) / 1000);
  const size = Math.abs(seconds);
  if (size < 1) return "just now";
  const [value, unit] =
    size < 60
      ? [size, "s"]
      : size < 3_600
        ? [Math.floor(size / 60), "min"]
        : size < 86_400
          ? [Math.floor(size / 3_600), "h"]
          : [Math.floor(size / 86_400), "d"];
  return seconds > 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** A `<time>` showing `relative(at)`, kept fresh by {@link refreshTimes}; hover: the full date. */
export function timeOf(at: number): HTMLTimeElement {
  const date = new Date(at);
  const element = h("time", { datetime: date.toISOString(), title: date.toLocaleString() });
  element.dataset.at = String(at);
  element.textContent = relative(at);
  return element;
}

/** Updates every relative time on the page (no store call: the clock moved, not the data). */
export function refreshTimes(now = Date.now()): void {
  for (const element of document.querySelectorAll<HTMLElement>("time[data-at]")) {
    const text = relative(Number(element.dataset.at), now);
    if (element.textContent !== text) element.textContent = text;
  }
}

/** A progress bar (0..1) in the colour of the job's state. */
export function progressBar(progress: number, state: string): HTMLElement {
  const fill = h("span");
  const bar = h("div", { class: `bar s-${state}`, role: "progressbar", "aria-valuemin": "0" });
  bar.setAttribute("aria-valuemax", "100");
  bar.append(fill);
  setProgress(bar, progress, state);
  return bar;
}

/** Moves a bar made by {@link progressBar}; CSSOM, which the page's CSP allows. */
export function setProgress(bar: HTMLElement, progress: number, state: string): void {
  const percent = Math.round(Math.min(1, Math.max(0, progress)) * 100);
  bar.className = `bar s-${state}`;
  bar.setAttribute("aria-valuenow", String(percent));
  bar.setAttribute("aria-label", `${percent}% done`);
  (bar.firstElementChild as HTMLElement).style.width = `${percent}%`;
}

/** JSON as indented text, for `<pre>`. */
export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((c): c is Node | string => Boolean(c)));
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** Shows a short message in the page's live region (read out by screen readers). */
export function announce(message: string, tone: "ok" | "error" = "ok"): void {
  const toast = byId("toast");
  toast.textContent = message;
  toast.className = `toast ${tone}`;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, 6_000);
}
