/**
 * Sign-in: the page asks for the API token once and keeps it in this tab's `sessionStorage`
 * (gone when the tab closes; never in a URL). Routes opened with `auth: false`, or an
 * `authorize` hook that accepts the browser's own cookies, need no token: the page checks
 * that first.
 */
import { byId } from "./dom.js";
import { describeError, isUnauthorized, type Session } from "./session.js";

/** The sign-in form's controls. */
export interface SignIn {
  /** Starts the page: signed in already, open routes, or the form. */
  boot(): Promise<void>;
  /** Shows the form, with a message (why it shows). */
  show(message?: string): void;
}

/** Wires the sign-in form; `start` runs once the API accepts the session. */
export function signInForm(session: Session, start: () => Promise<void>): SignIn {
  const form = byId<HTMLFormElement>("sign-in-form");
  const input = byId<HTMLInputElement>("token");
  const error = byId("sign-in-error");

  const show = (message = "") => {
    byId("sign-in").hidden = false;
    error.textContent = message;
    input.value = "";
    input.focus();
  };

  /** Whether the API takes the session as it is (one `GET /stats`). */
  const check = async (): Promise<"ok" | "refused" | "error"> => {
    try {
      await session.client.stats();
      return "ok";
    } catch (failure) {
      if (isUnauthorized(failure)) return "refused";
      error.textContent = describeError(failure);
      return "error";
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return show("Enter the API token.");
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    session.signIn(token);
    error.textContent = "";
    const outcome = await check();
    if (button) button.disabled = false;
    if (outcome === "ok") return void start();
    session.signOut();
    if (outcome === "refused") show("That token was refused.");
  });

  return {
    show,
    async boot() {
      const outcome = await check();
      if (outcome === "ok") return start();
      if (outcome === "refused") session.signOut(); // a stored token the API refuses is no use
      show(error.textContent ?? "");
    },
  };
}
