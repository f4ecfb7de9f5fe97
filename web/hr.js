// The HR dashboard: who is signed in, the language, and a hash router over the views
// (#interviews, #invite[/<job id>], #jobs, #interview/<id>, #audit, and #staff for
// administrators), so the back button works.
import { languagePicker, preferredLanguage, setLanguage, t } from "./i18n.js";
import { api } from "./hr-api.js";
import { isHr, logOut, renderUser } from "./hr-account.js";
import { $, notice, clearNotice } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import * as interviews from "./hr-interviews.js";
import * as invite from "./hr-invite.js";
import * as jobs from "./hr-jobs.js";
import * as jobedit from "./hr-job-edit.js";
import * as bank from "./hr-bank.js";
import * as detail from "./hr-interview.js";
import * as audit from "./hr-audit.js";
import * as staff from "./hr-staff.js";
import * as webhooks from "./hr-webhooks.js";
import * as live from "./hr-live.js";
import * as analytics from "./hr-analytics.js";

const PAGE = "hr";
const VIEWS = { live, interviews, invite, jobs, jobedit, bank, detail, analytics, audit, staff, webhooks };
const VIEW_IDS = ["loading", "forbidden", ...Object.keys(VIEWS)];

// What the views share: the signed-in user, the jobs, and a way to report errors.
const jobListeners = new Set();
const ctx = {
  user: null,
  jobs: [],
  job(id) {
    return ctx.jobs.find((job) => job.id === id) ?? null;
  },
  async loadJobs() {
    const data = await api("/api/jobs?archived=include");  // each view decides whether to show archived ones
    ctx.jobs = data.jobs ?? [];
    for (const listener of jobListeners) listener();
    return ctx.jobs;
  },
  onJobs(listener) {
    jobListeners.add(listener);
  },
  // For failures that belong to no form: shown under the navigation.
  report(error) {
    if (error?.code === "redirecting") return;
    notice($("app-status"), "error", describeError(error));
  },
};

let currentView = null;

function parseHash() {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  let match;
  // Analytics: every role, each seeing their departments' jobs (the server decides).
  if ((match = /^analytics(?:\/(\d{1,12}))?$/.exec(hash))) return { view: "analytics", arg: match[1] ? Number(match[1]) : null };
  if (!isHr(ctx.user)) return { view: "live", arg: null };  // department heads and reviewers: live only
  if (hash === "live") return { view: "live", arg: null };
  if ((match = /^interview\/([0-9a-f]{32})$/.exec(hash))) return { view: "detail", arg: match[1] };
  if ((match = /^invite(?:\/(\d{1,12}))?$/.exec(hash))) return { view: "invite", arg: match[1] ? Number(match[1]) : null };
  if (hash === "jobs") return { view: "jobs", arg: null };
  if ((match = /^job\/(\d{1,12})$/.exec(hash))) return { view: "jobedit", arg: Number(match[1]) };
  if ((match = /^bank(?:\/(\d{1,12}))?$/.exec(hash))) return { view: "bank", arg: match[1] ? Number(match[1]) : null };
  if (hash === "audit") return { view: "audit", arg: null };
  if (hash === "staff" && ctx.user?.role === "admin") return { view: "staff", arg: null };
  if ((match = /^webhooks(?:\/(\d{1,12}))?$/.exec(hash)) && ctx.user?.role === "admin") {
    return { view: "webhooks", arg: match[1] ? Number(match[1]) : null };
  }
  return { view: "interviews", arg: null };
}

function showOnly(name) {
  for (const id of VIEW_IDS) $(`view-${id}`).hidden = id !== name;
}

function setTitle(key) {
  document.body.dataset.titleKey = key;
  document.title = t(key);
}

async function route() {
  const { view, arg } = parseHash();
  const first = currentView === null;
  const changed = currentView !== view;
  if (changed && currentView) VIEWS[currentView].hide?.();
  currentView = view;
  clearNotice($("app-status"));
  showOnly(view);
  for (const link of document.querySelectorAll("[data-nav]")) {
    const active = link.dataset.nav === ({ detail: "interviews", jobedit: "jobs" }[view] ?? view);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  setTitle(`title.${view}`);
  // Move focus to the new view's heading, as a page load would (not on the first load).
  const focus = !first;
  if (view !== "detail" && changed && focus) $(`view-${view}`).querySelector("h1")?.focus();
  try {
    await VIEWS[view].show(arg, { focus });
  } catch (error) {
    ctx.report(error);
  }
}

function rerender() {
  renderUser($("user-info"), ctx.user);
  if (currentView) {
    setTitle(`title.${currentView}`);
    VIEWS[currentView].rerender();
  }
}

function wire() {
  $("logout").addEventListener("click", () => logOut($("logout"), ctx.report));
  // The skip link must not change the hash: that would be read as a route.
  $("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    $("main").focus();
  });
  window.addEventListener("hashchange", route);
}

async function main() {
  await setLanguage(PAGE, preferredLanguage("en"), { remember: false });
  languagePicker($("lang"), PAGE, rerender);
  wire();
  try {
    ctx.user = (await api("/api/me")).user;
  } catch (error) {
    if (error.code !== "redirecting") {
      showOnly("loading");
      ctx.report(error);
    }
    return;
  }
  renderUser($("user-info"), ctx.user);
  if (!isHr(ctx.user)) {
    // Department heads and reviewers watch their departments' interviews live; the rest is HR's.
    live.init(ctx);
    analytics.init(ctx);
    for (const item of $("hr-nav").querySelectorAll("li")) {
      item.hidden = item.id !== "nav-live" && !item.classList.contains("nav-out");
    }
    $("nav-analytics").hidden = false;
    $("hr-nav").hidden = false;
    await route();
    return;
  }
  for (const view of Object.values(VIEWS)) view.init(ctx);
  $("nav-staff").hidden = ctx.user.role !== "admin";
  $("nav-webhooks").hidden = ctx.user.role !== "admin";
  $("hr-nav").hidden = false;
  try {
    await ctx.loadJobs();
  } catch (error) {
    ctx.report(error);
  }
  await route();
}

main();
