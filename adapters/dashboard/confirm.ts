/**
 * The confirm dialog every destructive action goes through: the page's own `<dialog>`, opened
 * modal (focus stays inside, Escape cancels), its confirm button focused so Enter confirms.
 * Focus returns to the button that opened it.
 */
import { byId } from "./dom.js";

/** What the dialog asks. */
export interface Question {
  title: string;
  text: string;
  /** The confirm button's label, e.g. "Retry job". */
  confirm: string;
  /** The other button's label. Default "Cancel". */
  dismiss?: string;
}

/** Asks `question`; resolves true when confirmed, false when cancelled or dismissed. */
export function confirmAction(question: Question): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm");
  const ok = byId<HTMLButtonElement>("confirm-ok");
  const opener = document.activeElement as HTMLElement | null;
  byId("confirm-title").textContent = question.title;
  byId("confirm-text").textContent = question.text;
  ok.textContent = question.confirm;
  byId("confirm-no").textContent = question.dismiss ?? "Cancel";
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        opener?.focus();
        resolve(dialog.returnValue === "ok");
      },
      { once: true },
    );
    dialog.showModal();
    ok.focus();
  });
}
