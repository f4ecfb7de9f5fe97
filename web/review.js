// The review page: after sign-in, two-step verification (set it up once, then a fresh code opens
// the recordings for 15 minutes); then the interviews this user may review (#interviews) and a
// player per interview (#interview/<id>[/<question>]), so the back button works.
import { languagePicker, preferredLanguage, setLanguage, t } from "./i18n.js";
import { api } from "./hr-api.js";
import { isHr, logOut, renderUser } from "./hr-account.js";
import { $, clearNotice, notice } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { codeForm, focusCode } from "./review-code.js";
import * as enrol from "./review-enrol.js";
import * as list from "./review-list.js";
import * as player from "./review-interview.js";
import { hideBar, render as renderStepUp, setStepUp, steppedUp } from "./review-stepup.js";

const PAGE = "hr";
const VIEW_IDS = ["loading", "enrol", "stepup", "list", "player"];

let user = null;
let gatePassed = false;
let currentView = null;
let stepUpForm = null;

function report(error) {
  if (error?.code === "redirecting") return;
  notice($("app-status"), "error", describeError(error));
}

function showOnly(name) {
  for (const id of VIEW_IDS) $(`view-${id}`).hidden = id !== name;
}

function setTitle(key) {
  document.body.dataset.titleKey = key;
  document.title = t(key);
}

function parseHash() {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  const match = /^interview\/([0-9a-f]{32})(?:\/(\d{1,3}))?$/.exec(hash);
  if (match) return { view: "player", id: match[1], question: match[2] ? Number(match[2]) : null };
  return { view: "list" };
}

async function route({ focus = currentView !== null } = {}) {
  if (!gatePassed) return;
  const { view, id, question } = parseHash();
  const changed = currentView !== view;
  if (changed && currentView === "player") player.leave();
  currentView = view;
  clearNotice($("app-status"));
  showOnly(view);
  setTitle(`review.title.${view}`);
  try {
    if (view === "player") {
      await player.show(id, { focus, question });
    } else {
      if (focus && changed) $("list-title").focus();
      await list.show();
    }
  } catch (error) {
    report(error);
  }
}

// Before anything else: two-step verification set up, and a code given in the last 15 minutes.
function gate({ focus = false } = {}) {
  if (!user.totp_enabled) {
    showOnly("enrol");
    setTitle("review.title.enrol");
    currentView = "enrol";
    enrol.show({ onEnrolled: () => {
      user.totp_enabled = true;
      gate({ focus: true });
    }, focus });
    return;
  }
  renderStepUp();
  if (!steppedUp()) {
    showOnly("stepup");
    setTitle("review.title.stepup");
    currentView = "stepup";
    if (focus) $("stepup-title").focus();
    focusCode(stepUpForm);
    return;
  }
  passGate();
}

function passGate() {
  gatePassed = true;
  currentView = null;
  route({ focus: true });
}

function rerender() {
  renderUser($("user-info"), user);
  if (user?.totp_enabled) renderStepUp();
  if (currentView === "list") list.rerender();
  if (currentView === "player") player.rerender();
  else if (currentView) setTitle(`review.title.${currentView}`);
}

function wire() {
  $("logout").addEventListener("click", () => logOut($("logout"), report));
  // The skip link must not change the hash: that would be read as a route.
  $("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    $("main").focus();
  });
  window.addEventListener("hashchange", () => route());
  list.init();
  enrol.init({
    onDone: () => {
      user.totp_enabled = true;
      renderStepUp();
      passGate();
    },
    onEnrolled: () => {
      user.totp_enabled = true;
      gate({ focus: true });
    },
  });
  stepUpForm = codeForm({ id: "stepup-form", endpoint: "/api/step-up", submitKey: "review.stepup.submit",
    onSuccess: passGate,
    onState: () => {
      user.totp_enabled = false;  // reset by an admin meanwhile: set it up again
      gate({ focus: true });
    } });
  $("stepup-code").replaceChildren(stepUpForm);
}

async function main() {
  await setLanguage(PAGE, preferredLanguage("en"), { remember: false });
  languagePicker($("lang"), PAGE, rerender);
  wire();
  try {
    user = (await api("/api/me")).user;
  } catch (error) {
    if (error.code !== "redirecting") report(error);
    return;
  }
  renderUser($("user-info"), user);
  $("hr-link").hidden = !isHr(user);
  setStepUp(user.step_up_expires_in);
  if (!user.totp_enabled) hideBar();
  gate();
}

main();
