// The staff login page: e-mail and password, then back to where the user was going (or to the
// start page of their role: the dashboard for HR, the review page for the others).
import { languagePicker, preferredLanguage, setLanguage } from "./i18n.js";
import { api } from "./hr-api.js";
import { homeFor } from "./hr-account.js";
import { $, busy, clearNotice, notice } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";

const PAGE = "hr";
const HOME = "/hr";

// `?next=` is followed only to a path on this site: it must start with "/" but not "//" (or
// "/\", which browsers read the same way), and must still be on this origin once parsed.
export function safeNext(raw) {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return HOME;
  try {
    const url = new URL(raw, location.origin);
    if (url.origin !== location.origin) return HOME;
    return url.pathname + url.search + url.hash;
  } catch {
    return HOME;
  }
}

const requested = new URLSearchParams(location.search).get("next");
const next = (user) => (requested ? safeNext(requested) : homeFor(user));

async function submit(event) {
  event.preventDefault();
  const form = $("login-form");
  const email = $("login-email");
  const password = $("login-password");
  clearFieldErrors(form);
  clearNotice($("login-status"));
  const missing = [email, password].filter((input) => !input.value.trim());
  if (missing.length) {
    for (const input of missing) showFieldError(input, { key: "invalid.required" });
    missing[0].focus();
    return;
  }
  const done = busy($("login-submit"), "login.submitting");
  try {
    const data = await api("/api/login", {
      method: "POST", body: { email: email.value.trim(), password: password.value }, redirectOn401: false,
    });
    location.assign(next(data.user));
    return;  // keep the button disabled while the next page loads
  } catch (error) {
    done();
    if (error.status === 401) {
      notice($("login-status"), "error", { key: "login.bad" });
      password.value = "";
      password.focus();
    } else if (error.code === "insecure_origin") {
      notice($("login-status"), "error", { key: "login.insecure" });
    } else if (!showApiFieldError(form, error)) {
      notice($("login-status"), "error", describeError(error));
    }
  }
}

async function main() {
  await setLanguage(PAGE, preferredLanguage("en"), { remember: false });
  languagePicker($("lang"), PAGE);
  $("login-form").addEventListener("submit", submit);
  clearErrorsOnInput($("login-form"));
  // Already signed in (e.g. the back button): go straight on.
  try {
    const { user } = await api("/api/me", { redirectOn401: false });
    location.replace(next(user));
    return;
  } catch {
    // not signed in, or the server is unreachable: the form says so when it is used
  }
  $("login-email").focus();
}

main();
