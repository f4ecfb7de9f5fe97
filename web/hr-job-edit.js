// One job (#job/<id>): edit its title, department, language and questions; archive or unarchive
// it; copy, export, and invite. Once a candidate has started, the questions and language are
// frozen (the server says so too): the form then shows them read-only and says why.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, clearNotice, el, messageNode, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";
import { JOB_LANGUAGES, timeElement } from "./hr-format.js";
import { addQuestion, blankInputs, readQuestions, renumber } from "./hr-job-form.js";

let ctx;
let currentId = null;
let job = null;
let failed = null;

const view = () => $("view-jobedit");
const list = () => $("je-questions");
const changed = () => renumber(list(), $("je-add-question"));

export function init(context) {
  ctx = context;
}

export async function show(id, { focus = false } = {}) {
  currentId = id;
  job = null;
  failed = null;
  render();
  await load(id);
  if (id !== currentId) return;
  render();
  if (focus) $("jobedit-title")?.focus();
}

// Leaving the view: drop its form, so that its labels do not shadow the other views' inputs.
export function hide() {
  view().replaceChildren();
  currentId = null;
}

export function rerender() {
  if (!currentId) return;
  const keep = job && !job.locked ? readForm() : null;
  render(keep);
}

async function load(id) {
  try {
    job = (await api(`/api/jobs/${id}`)).job;
  } catch (error) {
    if (error.code === "redirecting") return;
    failed = error.status === 404 ? { key: "jobedit.notFound" } : describeError(error);
  }
}

function readForm() {
  return { title: $("je-title").value, department: $("je-department").value, language: $("je-language").value,
    questions: readQuestions(list()) };
}

function field(id, key, control, hintKey = null) {
  if (hintKey) control.setAttribute("aria-describedby", `${id}-hint`);
  return el("div", { class: "field" }, tx(el("label", { for: id }), key), control,
    hintKey ? tx(el("p", { class: "hint", id: `${id}-hint` }), hintKey) : null);
}

function head() {
  const archive = el("button", { type: "button", class: "secondary compact", id: "je-archive" });
  tx(archive, job.archived_at ? "jobedit.unarchive" : "jobedit.archive");
  archive.addEventListener("click", toggleArchive);
  const copy = tx(el("button", { type: "button", class: "secondary compact", id: "je-copy" }), "jobedit.copy");
  copy.addEventListener("click", copyJob);
  return el("div", { class: "card detail-head" },
    el("div", { class: "title-row" },
      el("h1", { id: "jobedit-title", tabindex: "-1", text: job.title }),
      job.archived_at ? tx(el("span", { class: "badge archived-badge" }), "jobs.archived") : null),
    el("p", { class: "sub", text: `${job.department} · ${JOB_LANGUAGES[job.language] ?? job.language}` }),
    el("dl", { class: "facts" },
      fact("jobedit.created", timeElement(job.created_at)),
      fact("jobedit.updated", timeElement(job.updated_at)),
      fact("jobedit.interviews", el("a", { href: "#interviews", text: String(job.interview_count ?? 0) }))),
    job.archived_at ? tx(el("p", { class: "alert warn" }), "jobedit.archivedText") : null,
    el("div", { class: "head-actions" },
      job.archived_at ? null : tx(el("a", { class: "button compact", href: `#invite/${job.id}` }), "jobs.invite"),
      copy,
      tx(el("a", { class: "button secondary compact", href: `/api/jobs/${job.id}/export`, download: `intervox-job-${job.id}.json` }),
        "jobedit.export"),
      archive));
}

function fact(key, value) {
  return el("div", { class: "fact" }, tx(el("dt"), key), el("dd", {}, value));
}

function languageSelect(value) {
  const select = el("select", { id: "je-language", dataset: { field: "language" }, disabled: job.locked });
  for (const [code, name] of Object.entries(JOB_LANGUAGES)) {
    select.append(el("option", { value: code, lang: code === "zh" ? "zh-CN" : "en", text: name }));
  }
  select.value = value;
  return select;
}

// The questions as candidates get them, read-only (the job is frozen).
function frozenQuestions() {
  return el("ol", { class: "frozen-questions" }, job.questions.map((q) => el("li", {},
    el("p", { class: "question-text", lang: job.language === "zh" ? "zh-CN" : "en", text: q.text }),
    tx(el("p", { class: "hint" }), "jobedit.timings", { think: q.think_seconds, answer: q.answer_seconds }),
    q.competencies?.length ? el("p", { class: "tags" }, q.competencies.map((c) => el("span", { class: "tag", text: c }))) : null,
    q.rubric ? tx(el("p", { class: "hint" }), "jobedit.hasRubric", { n: q.rubric.competencies.length }) : null)));
}

function form(values) {
  const title = el("input", { id: "je-title", dataset: { field: "title" }, required: true, maxlength: 200, autocomplete: "off" });
  const department = el("input", { id: "je-department", dataset: { field: "department" }, required: true, maxlength: 100,
    autocomplete: "off" });
  title.value = values.title;
  department.value = values.department;
  const questions = el("fieldset", { class: "questions", dataset: { field: "questions" } },
    tx(el("legend"), "job.questions"),
    el("div", { class: "group-error" }));
  if (job.locked) {
    questions.append(frozenQuestions());
  } else {
    const add = tx(el("button", { type: "button", class: "secondary", id: "je-add-question" }), "job.addQuestion");
    questions.append(tx(el("p", { class: "hint" }), "job.questionsHint"), el("ol", { id: "je-questions", class: "question-list" }),
      el("div", { class: "actions" }, add,
        tx(el("a", { class: "button secondary", href: `#bank/${job.id}` }), "jobedit.fromBank")));
  }
  const submit = tx(el("button", { type: "submit", id: "je-submit" }), "jobedit.save");
  const node = el("form", { id: "je-form", novalidate: true, "aria-labelledby": "je-form-title" },
    tx(el("h2", { id: "je-form-title" }), "jobedit.formTitle"),
    job.locked ? el("div", { class: "alert warn lock-note", id: "je-locked" },
      tx(el("strong"), "jobedit.lockedTitle"), " ", tx(el("span"), "jobedit.lockedText")) : null,
    el("div", { class: "grid-3" },
      field("je-title", "job.title", title),
      field("je-department", "job.department", department),
      field("je-language", "job.language", languageSelect(values.language),
        job.locked ? "jobedit.languageLocked" : "job.languageHint")),
    questions,
    el("div", { id: "je-msg", "aria-live": "polite" }),
    el("div", { class: "actions" }, submit));
  node.addEventListener("submit", save);
  clearErrorsOnInput(node);
  return el("div", { class: "card" }, node);
}

function render(values = null) {
  const body = [el("div", { class: "detail-tools" },
    tx(el("a", { href: "#jobs", class: "back" }), "jobedit.back")), el("div", { id: "jobedit-msg", "aria-live": "polite" })];
  if (!job) {
    body.push(tx(el("h1", { id: "jobedit-title", tabindex: "-1" }), failed ? "jobedit.unavailable" : "jobedit.loading"));
    if (failed) body.push(el("div", { class: "alert error", role: "alert" }, messageNode(failed)));
    view().replaceChildren(...body);
    return;
  }
  const current = values ?? { title: job.title, department: job.department, language: job.language, questions: job.questions };
  view().replaceChildren(...body, head(), form(current));
  if (!job.locked) {
    $("je-add-question").addEventListener("click", () => addQuestion(list(), changed, { focus: true }));
    for (const q of current.questions) addQuestion(list(), changed, { values: q });
    if (!current.questions.length) addQuestion(list(), changed);
    changed();
  }
  document.title = t("title.jobeditNamed", { title: job.title });
}

async function save(event) {
  event.preventDefault();
  const formNode = $("je-form");
  const status = $("je-msg");
  clearFieldErrors(formNode);
  clearNotice(status);
  const blank = [$("je-title"), $("je-department")].filter((input) => !input.value.trim())
    .map((input) => [input, { key: "invalid.required" }])
    .concat(job.locked ? [] : blankInputs(list()));
  if (blank.length) {
    for (const [input, message] of blank) showFieldError(input, message);
    notice(status, "error", { key: blank.length === 1 ? "jobedit.fixField" : "jobedit.fixFields", params: { n: blank.length } });
    blank[0][0].focus();
    return;
  }
  const payload = { title: $("je-title").value, department: $("je-department").value };
  if (!job.locked) Object.assign(payload, { language: $("je-language").value, questions: readQuestions(list()) });
  const done = busy($("je-submit"), "jobedit.saving");
  try {
    job = (await api(`/api/jobs/${job.id}`, { method: "PUT", body: payload })).job;
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (error.code === "job_locked") return lockedMeanwhile();
    if (error.code === "job_in_use") return notice(status, "error", { key: "jobedit.inUse" }).focus();
    if (showApiFieldError(formNode, error)) notice(status, "error", { key: "jobedit.fixField" });
    else notice(status, "error", describeError(error)).focus();
    return;
  }
  render();
  notice($("je-msg"), "ok", { key: "jobedit.saved" }).focus();
  ctx.loadJobs().catch(ctx.report);
}

// A candidate started while HR was editing: show the frozen job, keeping the title and department typed.
async function lockedMeanwhile() {
  const typed = { title: $("je-title").value, department: $("je-department").value };
  await load(job.id);
  if (!job) return render();
  render({ ...typed, language: job.language, questions: job.questions });
  notice($("je-msg"), "error", { key: "jobedit.lockedMeanwhile" }).focus();
}

async function toggleArchive() {
  const archiving = !job.archived_at;
  const done = busy($("je-archive"), "common.working");
  try {
    job = (await api(`/api/jobs/${job.id}/${archiving ? "archive" : "unarchive"}`, { method: "POST" })).job;
  } catch (error) {
    done();
    if (error.code !== "redirecting") notice($("jobedit-msg"), "error", describeError(error)).focus();
    return;
  }
  render();
  notice($("jobedit-msg"), "ok", { key: archiving ? "jobedit.archivedDone" : "jobedit.unarchivedDone" }).focus();
  ctx.loadJobs().catch(ctx.report);
}

async function copyJob() {
  const done = busy($("je-copy"), "common.working");
  let copy;
  try {
    copy = (await api(`/api/jobs/${job.id}/copy`, { method: "POST" })).job;
  } catch (error) {
    done();
    if (error.code !== "redirecting") notice($("jobedit-msg"), "error", describeError(error)).focus();
    return;
  }
  await ctx.loadJobs().catch(ctx.report);
  location.hash = `#job/${copy.id}`;
}
