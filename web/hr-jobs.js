// The jobs view: the list of jobs (archived ones on request), importing a job from a JSON file,
// and the "New job" form.
import { language } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";
import { jobLanguage, timeElement } from "./hr-format.js";
import { addQuestion, blankInputs, readQuestions, renumber } from "./hr-job-form.js";
import { importReport, readJsonFile, send } from "./hr-import.js";

let ctx;
let showArchived = false;

const list = () => $("question-list");
const changed = () => renumber(list(), $("add-question"));

export function init(context) {
  ctx = context;
  ctx.onJobs(renderList);
  addQuestion(list(), changed);
  $("job-language").value = language();  // HR working in Chinese most likely hires in Chinese
  $("add-question").addEventListener("click", () => addQuestion(list(), changed, { focus: true }));
  $("job-form").addEventListener("submit", submit);
  clearErrorsOnInput($("job-form"));
  $("jobs-new").addEventListener("click", () => {
    $("new-job").scrollIntoView({ behavior: "smooth", block: "start" });
    $("job-title").focus({ preventScroll: true });
  });
  buildTools();
}

export function show() {
  renderList();
}

export function rerender() {
  renderList();
  changed();
}

// Above the list: show archived jobs, import a job file, and what the import said.
function buildTools() {
  const archived = el("input", { type: "checkbox", id: "jobs-show-archived" });
  archived.addEventListener("change", () => {
    showArchived = archived.checked;
    renderList();
  });
  const file = el("input", { type: "file", id: "jobs-import-file", accept: ".json,application/json", class: "file-input" });
  file.addEventListener("change", () => importJob(file));
  const tools = el("div", { class: "toolbar jobs-tools" },
    el("div", { class: "check" }, archived, tx(el("label", { for: archived.id }), "jobs.showArchived")),
    el("div", { class: "file-pick" },
      file,
      tx(el("label", { for: file.id, class: "button secondary compact" }), "jobs.import")));
  $("jobs-msg").before(tools, el("div", { id: "jobs-import-report" }));
}

async function importJob(input) {
  const report = $("jobs-import-report");
  const file = input.files?.[0];
  input.value = "";
  if (!file) return;
  clearNotice($("jobs-msg"));
  report.replaceChildren();
  let document;
  try {
    document = await readJsonFile(file);
  } catch (problem) {
    notice($("jobs-msg"), "error", problem).focus();
    return;
  }
  try {
    const { job } = await send("/api/jobs/import", { json: document });
    await ctx.loadJobs();
    notice($("jobs-msg"), "ok", { key: "jobs.imported", params: { title: job.title } }, " ",
      el("a", { href: `#job/${job.id}` }, tx(el("span"), "jobs.openImported"))).focus();
  } catch (error) {
    if (error.code === "redirecting") return;
    if (error.code === "invalid_document") {
      notice($("jobs-msg"), "error", { key: "import.nothing", params: { name: file.name } }).focus();
      report.replaceChildren(importReport(error.details?.errors ?? [], "import.col.item"));
    } else {
      notice($("jobs-msg"), "error", describeError(error)).focus();
    }
  }
}

function titleCell(job) {
  return el("th", { scope: "row", role: "rowheader" },
    el("a", { href: `#job/${job.id}`, text: job.title }),
    job.archived_at ? tx(el("span", { class: "badge archived-badge" }), "jobs.archived") : null,
    job.locked ? tx(el("span", { class: "sub" }), "jobs.lockedShort") : null);
}

function renderList() {
  const jobs = ctx.jobs.filter((job) => showArchived || !job.archived_at);
  $("jobs-body").replaceChildren(...jobs.map((job) => el("tr", { role: "row", class: job.archived_at ? "archived" : null },
    titleCell(job),
    cell("col.department", job.department),
    cell("col.language", el("span", { lang: job.language === "zh" ? "zh-CN" : "en", text: jobLanguage(job.language) })),
    cell("col.questions", String(job.question_count ?? job.questions?.length ?? ""), "num"),
    cell("col.interviews", String(job.interview_count ?? 0), "num"),
    cell("col.created", timeElement(job.created_at, { withTime: false })),
    el("td", { role: "cell", class: "row-actions" },
      el("a", { class: "button secondary compact", href: `#job/${job.id}` },
        tx(el("span"), "jobs.edit"),
        el("span", { class: "visually-hidden", text: ` — ${job.title}` })),
      job.archived_at ? null : el("a", { class: "button secondary compact", href: `#invite/${job.id}` },
        tx(el("span"), "jobs.invite"),
        el("span", { class: "visually-hidden", text: ` — ${job.title}` }))),
  )));
  $("jobs-table").hidden = jobs.length === 0;
  $("jobs-empty").hidden = jobs.length > 0;
  const hidden = ctx.jobs.length - jobs.length;
  tx($("jobs-empty"), hidden ? "jobs.emptyArchived" : "jobs.empty", { n: hidden });
}

function resetForm() {
  const form = $("job-form");
  form.reset();
  $("job-language").value = language();
  clearFieldErrors(form);
  list().replaceChildren();
  addQuestion(list(), changed);
}

async function submit(event) {
  event.preventDefault();
  const form = $("job-form");
  const status = $("job-msg");
  clearFieldErrors(form);
  clearNotice(status);
  const blank = [$("job-title"), $("job-department")]
    .filter((input) => !input.value.trim())
    .map((input) => [input, { key: "invalid.required" }])
    .concat(blankInputs(list()));
  if (blank.length) {
    for (const [input, message] of blank) showFieldError(input, message);
    notice(status, "error", { key: blank.length === 1 ? "job.fixField" : "job.fixFields", params: { n: blank.length } });
    blank[0][0].focus();
    return;
  }
  const payload = {
    title: $("job-title").value,
    department: $("job-department").value,
    language: $("job-language").value,
    questions: readQuestions(list()),
  };
  const done = busy($("job-submit"), "job.submitting");
  let job;
  try {
    ({ job } = await api("/api/jobs", { method: "POST", body: payload }));
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (showApiFieldError(form, error)) notice(status, "error", { key: "job.fixField" });
    else notice(status, "error", describeError(error)).focus();
    return;
  }
  done();
  resetForm();
  const invite = el("a", { href: `#invite/${job.id}` }, tx(el("span"), "job.inviteNow"));
  notice(status, "ok", { key: "job.created", params: { title: job.title } }, " ", invite).focus();
  try {
    await ctx.loadJobs();
  } catch (error) {
    ctx.report(error);
  }
}
