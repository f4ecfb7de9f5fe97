// The jobs view: the list of jobs and the "New job" form.
import { language } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";
import { jobLanguage, timeElement } from "./hr-format.js";
import { addQuestion, blankInputs, readQuestions, renumber } from "./hr-job-form.js";

let ctx;

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
}

export function show() {
  renderList();
}

export function rerender() {
  renderList();
  changed();
}

function renderList() {
  const jobs = ctx.jobs;
  $("jobs-body").replaceChildren(...jobs.map((job) => el("tr", { role: "row" },
    el("th", { scope: "row", role: "rowheader" }, job.title),
    cell("col.department", job.department),
    cell("col.language", el("span", { lang: job.language === "zh" ? "zh-CN" : "en", text: jobLanguage(job.language) })),
    cell("col.questions", String(job.question_count ?? job.questions?.length ?? ""), "num"),
    cell("col.created", timeElement(job.created_at, { withTime: false })),
    el("td", { role: "cell", class: "row-actions" },
      el("a", { class: "button secondary compact", href: `#invite/${job.id}` },
        tx(el("span"), "jobs.invite"),
        el("span", { class: "visually-hidden", text: ` — ${job.title}` }))),
  )));
  $("jobs-table").hidden = jobs.length === 0;
  $("jobs-empty").hidden = jobs.length > 0;
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
