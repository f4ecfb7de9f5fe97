// Where invitation and password-reset links lead (/account/activate#<token>): greet the person,
// let them choose a password, then send them to sign in.
//
// The token is in the URL fragment, which the browser never sends to the server. The page takes
// it out of the address bar at once (so it is not left in the history or on screen) and keeps it
// in this tab's sessionStorage, so a reload still works; it is forgotten once the password is set.
import { languagePicker, preferredLanguage, setLanguage, t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, clearNotice, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showFieldError } from "./hr-errors.js";
import { dateTime } from "./hr-format.js";
import { newPasswordProblems, passwordMessage } from "./account-password.js";

const PAGE = "hr";
const STORAGE_KEY = "intervox.accountLink";
const CARDS = ["activate-checking", "activate-invalid", "activate-form-card", "activate-done"];

let token = null;
let link = null;  // { purpose, email, name, expires_at }

function showCard(id, { focus = true } = {}) {
  for (const card of CARDS) $(card).hidden = card !== id;
  const heading = $(id).querySelector("h1");
  if (focus && heading?.tabIndex === -1) heading.focus();
}

function takeToken() {
  const fromHash = location.hash.replace(/^#/, "");
  if (fromHash) {
    sessionStorage.setItem(STORAGE_KEY, fromHash);
    history.replaceState(null, "", location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

function renderForm() {
  if (!link) return;
  const params = { name: link.name, email: link.email, date: dateTime(link.expires_at) };
  const kind = link.purpose === "reset_password" ? "reset" : "activate";
  tx($("activate-title"), `activate.title.${kind}`, params);
  tx($("activate-greeting"), `activate.greeting.${kind}`, params);
  document.body.dataset.titleKey = `activate.pageTitle.${kind}`;
  document.title = t(document.body.dataset.titleKey);
  $("activate-username").value = link.email;
}

function invalid(messageKey) {
  if (messageKey) tx($("activate-invalid-text"), messageKey);
  showCard("activate-invalid");
}

async function check() {
  if (!token) {
    invalid("activate.noToken");
    return;
  }
  try {
    link = await api("/api/account/activation/check", { method: "POST", body: { token }, redirectOn401: false });
  } catch (error) {
    if (error.code === "link_invalid" || error.status === 404 || error.status === 400) {
      sessionStorage.removeItem(STORAGE_KEY);
      invalid();
    } else {
      showCard("activate-invalid");
      notice($("activate-invalid-text"), "error", describeError(error));
    }
    return;
  }
  renderForm();
  showCard("activate-form-card", { focus: false });
  $("activate-password").focus();
}

async function submit(event) {
  event.preventDefault();
  const form = $("activate-form");
  const password = $("activate-password");
  const repeat = $("activate-repeat");
  clearFieldErrors(form);
  clearNotice($("activate-status"));
  const problems = newPasswordProblems(password, repeat, link?.email);
  if (problems.length) {
    for (const [input, message] of problems) showFieldError(input, message);
    problems[0][0].focus();
    return;
  }
  const done = busy($("activate-submit"), "activate.submitting");
  try {
    await api("/api/account/activation", { method: "POST", body: { token, password: password.value },
      redirectOn401: false });
  } catch (error) {
    done();
    if (error.code === "link_invalid") {
      sessionStorage.removeItem(STORAGE_KEY);
      invalid();
    } else if (error.code === "invalid" && error.field === "password") {
      showFieldError(password, passwordMessage(error.message));
      password.focus();
    } else {
      notice($("activate-status"), "error", describeError(error));
    }
    return;
  }
  sessionStorage.removeItem(STORAGE_KEY);
  token = null;
  tx($("activate-done-text"), "activate.doneText", { email: link.email });
  form.reset();
  showCard("activate-done");
}

async function main() {
  token = takeToken();
  await setLanguage(PAGE, preferredLanguage(), { remember: false });
  languagePicker($("lang"), PAGE, renderForm);
  $("activate-form").addEventListener("submit", submit);
  clearErrorsOnInput($("activate-form"));
  // Another link pasted into this tab: only the fragment changes, the page does not reload.
  window.addEventListener("hashchange", () => {
    if (!location.hash.replace(/^#/, "")) return;
    token = takeToken();
    link = null;
    showCard("activate-checking", { focus: false });
    check();
  });
  await check();
}

main();
