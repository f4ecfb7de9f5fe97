// The question bank (#bank, or #bank/<job id> to add questions to that job): reusable questions
// with competencies, filtered by competency and language; a form to create or edit one; JSON
// import (with a report of every problem) and export; and copying chosen questions into a job.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";
import { JOB_LANGUAGES, jobLanguage } from "./hr-format.js";
import { addQuestion, blankInputs, readQuestions, renumber } from "./hr-job-form.js";
import { importReport, readJsonFile, send } from "./hr-import.js";

let ctx;
let questions = [];
let competencies = [];
let filters = { competency: "", language: "", archived: false };
let selected = new Set();
let targetJob = null;   // from #bank/<job id>
let editing = null;     // the bank question in the form, or "new", or null (form closed)

const view = () => $("view-bank");

export function init(context) {
  ctx = context;
  ctx.onJobs(() => { if ($("bank-job")) renderJobs(); });
}

export async function show(jobId, { focus = false } = {}) {
  targetJob = jobId;
  if (!$("bank-title")) build();
  renderJobs();
  await load();
  if (focus) $("bank-title").focus();
}

export function hide() {
  view().replaceChildren();
  editing = null;
  selected = new Set();
}

export function rerender() {
  if (!$("bank-title")) return;
  renderFilters();
  renderJobs();
  renderList();
  if (editing) renumberEditor();
}

function query() {
  const params = new URLSearchParams();
  if (filters.competency) params.set("competency", filters.competency);
  if (filters.language) params.set("language", filters.language);
  if (filters.archived) params.set("archived", "1");
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function load() {
  try {
    const data = await api(`/api/bank/questions${query()}`);
    questions = data.questions ?? [];
    competencies = data.competencies ?? [];
    clearNotice($("bank-list-msg"));
  } catch (error) {
    if (error.code !== "redirecting") notice($("bank-list-msg"), "error", describeError(error));
  }
  selected = new Set([...selected].filter((id) => questions.some((q) => q.id === id)));
  renderFilters();
  renderList();
}

function labelled(id, key, control) {
  return el("div", { class: "field" }, tx(el("label", { for: id }), key), control);
}

function build() {
  const competency = el("select", { id: "bank-filter-competency" });
  const language = el("select", { id: "bank-filter-language" });
  const archived = el("input", { type: "checkbox", id: "bank-filter-archived" });
  const onFilter = () => {
    filters = { competency: competency.value, language: language.value, archived: archived.checked };
    load();
  };
  for (const control of [competency, language, archived]) control.addEventListener("change", onFilter);
  const file = el("input", { type: "file", id: "bank-import-file", accept: ".json,application/json", class: "file-input" });
  file.addEventListener("change", () => importFile(file));
  const create = tx(el("button", { type: "button", id: "bank-new" }), "bank.new");
  create.addEventListener("click", () => openEditor("new"));
  const add = el("button", { type: "button", id: "bank-add", disabled: true });
  add.addEventListener("click", addToJob);
  view().replaceChildren(
    el("div", { class: "view-head" },
      tx(el("h1", { id: "bank-title", tabindex: "-1" }), "bank.title"),
      el("div", { class: "head-tools" },
        create,
        file, tx(el("label", { for: file.id, class: "button secondary" }), "bank.import"),
        tx(el("a", { id: "bank-export", class: "button secondary", href: "/api/bank/export", download: "intervox-question-bank.json" }),
          "bank.export"))),
    tx(el("p", { class: "hint bank-intro" }), "bank.intro"),
    el("div", { id: "bank-msg", "aria-live": "polite" }),
    el("div", { id: "bank-import-report" }),
    el("div", { id: "bank-editor" }),
    el("div", { class: "card" },
      el("div", { class: "toolbar" },
        labelled(competency.id, "bank.filterCompetency", competency),
        labelled(language.id, "bank.filterLanguage", language),
        el("div", { class: "check" }, archived, tx(el("label", { for: archived.id }), "bank.showArchived"))),
      el("div", { class: "toolbar add-bar", role: "group", "aria-labelledby": "bank-add-legend" },
        tx(el("p", { id: "bank-add-legend", class: "add-legend" }), "bank.addLegend"),
        labelled("bank-job", "bank.toJob", el("select", { id: "bank-job" })),
        add),
      el("div", { id: "bank-list-msg", "aria-live": "polite" }),
      el("div", { class: "table-wrap" },
        el("table", { class: "data-table stack", id: "bank-table", role: "table" },
          tx(el("caption", { class: "visually-hidden" }), "bank.caption"),
          el("thead", { role: "rowgroup" }, el("tr", { role: "row" },
            ...["bank.col.pick", "bank.col.question", "bank.col.competencies", "bank.col.language", "bank.col.time",
              "col.actions"].map((key) => tx(el("th", { scope: "col", role: "columnheader",
              class: key === "bank.col.pick" || key === "col.actions" ? "narrow" : null }), key)))),
          el("tbody", { role: "rowgroup", id: "bank-body" }))),
      el("p", { id: "bank-empty", class: "empty", hidden: true })));
  $("bank-job").addEventListener("change", updateAddButton);
}

function renderFilters() {
  const competency = $("bank-filter-competency");
  competency.replaceChildren(new Option(t("bank.anyCompetency"), ""),
    ...competencies.map((name) => new Option(name, name)));
  if (filters.competency && !competencies.includes(filters.competency)) competency.append(new Option(filters.competency, filters.competency));
  competency.value = filters.competency;
  const language = $("bank-filter-language");
  language.replaceChildren(new Option(t("bank.anyLanguage"), ""),
    ...Object.entries(JOB_LANGUAGES).map(([code, name]) => new Option(name, code)));
  language.value = filters.language;
  $("bank-filter-archived").checked = filters.archived;
  $("bank-export").href = `/api/bank/export${query()}`;
}

// Jobs that can take questions: not archived, no candidate started yet.
function renderJobs() {
  const select = $("bank-job");
  const keep = select.value || (targetJob ? String(targetJob) : "");
  const jobs = ctx.jobs.filter((job) => !job.archived_at);
  select.replaceChildren(new Option(t("bank.chooseJob"), ""), ...jobs.map((job) => {
    const option = new Option(`${job.title} — ${job.department} (${jobLanguage(job.language)})`, String(job.id));
    if (job.locked) {
      option.disabled = true;
      option.text += ` — ${t("bank.jobLocked")}`;
    }
    return option;
  }));
  select.value = jobs.some((job) => String(job.id) === keep && !job.locked) ? keep : "";
  updateAddButton();
}

function updateAddButton() {
  const button = $("bank-add");
  tx(button, selected.size ? "bank.add" : "bank.addNone", { n: selected.size });
  button.disabled = !selected.size || !$("bank-job").value;
}

function tags(names) {
  return el("span", { class: "tags" }, names.map((name) => el("span", { class: "tag", text: name })));
}

function rowFor(q) {
  const pick = el("input", { type: "checkbox", id: `bank-pick-${q.id}`, checked: selected.has(q.id),
    disabled: Boolean(q.archived_at) });
  pick.addEventListener("change", () => {
    if (pick.checked) selected.add(q.id);
    else selected.delete(q.id);
    updateAddButton();
  });
  const edit = el("button", { type: "button", class: "secondary compact" }, tx(el("span"), "bank.edit"),
    el("span", { class: "visually-hidden", text: ` — ${q.text.slice(0, 60)}` }));
  edit.addEventListener("click", () => openEditor(q));
  const archive = el("button", { type: "button", class: "secondary compact" },
    tx(el("span"), q.archived_at ? "bank.unarchive" : "bank.archive"),
    el("span", { class: "visually-hidden", text: ` — ${q.text.slice(0, 60)}` }));
  archive.addEventListener("click", () => setArchived(q, !q.archived_at, archive));
  return el("tr", { role: "row" },
    el("td", { role: "cell", class: "pick" }, pick,
      el("label", { for: pick.id, class: "visually-hidden", text: t("bank.pick", { text: q.text.slice(0, 80) }) })),
    el("th", { scope: "row", role: "rowheader", class: "bank-text" },
      el("span", { lang: q.language === "zh" ? "zh-CN" : "en", text: q.text }),
      q.rubric ? tx(el("span", { class: "sub" }), "bank.hasRubric", { n: q.rubric.competencies.length }) : null,
      q.used_in ? tx(el("span", { class: "sub" }), "bank.usedIn", { n: q.used_in }) : null),
    cell("bank.col.competencies", q.competencies.length ? tags(q.competencies) : el("span", { class: "none", text: "—" })),
    cell("bank.col.language", jobLanguage(q.language)),
    cell("bank.col.time", t("bank.timings", { think: q.think_seconds, answer: q.answer_seconds }), "num"),
    el("td", { role: "cell", class: "row-actions" }, edit, archive));
}

function renderList() {
  $("bank-body").replaceChildren(...questions.map(rowFor));
  $("bank-table").hidden = questions.length === 0;
  const empty = $("bank-empty");
  empty.hidden = questions.length > 0;
  const filtered = filters.competency || filters.language || filters.archived;
  tx(empty, filtered ? "bank.emptyFiltered" : "bank.empty");
  updateAddButton();
}

// ---------- the editor ----------

function renumberEditor() {
  const list = $("bank-question");
  renumber(list, $("bank-question-add"));
  // One question: the server names its fields without the "questions[0]." prefix.
  for (const node of list.querySelectorAll("[data-field]")) node.dataset.field = node.dataset.field.replace(/^questions\[0\]\.?/, "") || "question";
  list.querySelector(".question-legend").hidden = true;
}

function openEditor(question) {
  editing = question;
  const isNew = question === "new";
  const language = el("select", { id: "bank-language", dataset: { field: "language" } },
    ...Object.entries(JOB_LANGUAGES).map(([code, name]) => el("option", { value: code, lang: code === "zh" ? "zh-CN" : "en", text: name })));
  language.value = isNew ? (filters.language || (document.documentElement.lang.startsWith("zh") ? "zh" : "en")) : question.language;
  const save = tx(el("button", { type: "submit", id: "bank-save" }), isNew ? "bank.create" : "bank.save");
  const cancel = tx(el("button", { type: "button", class: "secondary" }), "bank.cancel");
  cancel.addEventListener("click", closeEditor);
  const form = el("form", { id: "bank-form", class: "bank-form", novalidate: true, "aria-labelledby": "bank-form-title" },
    tx(el("h2", { id: "bank-form-title", tabindex: "-1" }), isNew ? "bank.newTitle" : "bank.editTitle"),
    isNew ? null : tx(el("p", { class: "hint" }), "bank.editHint"),
    labelled(language.id, "bank.language", language),
    el("ol", { id: "bank-question", class: "question-list single" }),
    el("button", { type: "button", id: "bank-question-add", hidden: true }),
    el("div", { id: "bank-form-msg", "aria-live": "polite" }),
    el("div", { class: "actions" }, save, cancel));
  form.addEventListener("submit", submitEditor);
  clearErrorsOnInput(form);
  $("bank-editor").replaceChildren(el("div", { class: "card" }, form));
  addQuestion($("bank-question"), renumberEditor, { values: isNew ? null : question });
  $("bank-form-title").focus();
  $("bank-form-title").scrollIntoView({ block: "start" });
}

function closeEditor() {
  editing = null;
  $("bank-editor").replaceChildren();
  $("bank-new").focus();
}

async function submitEditor(event) {
  event.preventDefault();
  const form = $("bank-form");
  const status = $("bank-form-msg");
  clearFieldErrors(form);
  clearNotice(status);
  const blank = blankInputs($("bank-question"));
  if (blank.length) {
    for (const [input, message] of blank) showFieldError(input, message);
    blank[0][0].focus();
    return;
  }
  const [question] = readQuestions($("bank-question"));
  delete question.id;
  const body = { ...question, language: $("bank-language").value };
  const isNew = editing === "new";
  const done = busy($("bank-save"), "common.working");
  try {
    await api(isNew ? "/api/bank/questions" : `/api/bank/questions/${editing.id}`, { method: isNew ? "POST" : "PUT", body });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (!showApiFieldError(form, error)) notice(status, "error", describeError(error)).focus();
    return;
  }
  editing = null;
  $("bank-editor").replaceChildren();
  await load();
  notice($("bank-msg"), "ok", { key: isNew ? "bank.created" : "bank.saved" }).focus();
}

// ---------- archive, add to a job, import ----------

async function setArchived(question, archived, button) {
  const done = busy(button, "common.working");
  try {
    await api(`/api/bank/questions/${question.id}/${archived ? "archive" : "unarchive"}`, { method: "POST" });
  } catch (error) {
    done();
    if (error.code !== "redirecting") notice($("bank-msg"), "error", describeError(error)).focus();
    return;
  }
  selected.delete(question.id);
  await load();
  notice($("bank-msg"), "ok", { key: archived ? "bank.archived" : "bank.unarchived" }).focus();
}

async function addToJob() {
  const jobId = Number($("bank-job").value);
  const ids = questions.filter((q) => selected.has(q.id)).map((q) => q.id);
  const done = busy($("bank-add"), "common.working");
  let job;
  try {
    ({ job } = await api(`/api/jobs/${jobId}/questions/from-bank`, { method: "POST", body: { bank_question_ids: ids } }));
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    const message = error.code === "job_locked" ? { key: "bank.addLocked" }
      : error.code === "job_in_use" ? { key: "jobedit.inUse" } : describeError(error);
    notice($("bank-msg"), "error", message).focus();
    return;
  }
  done();
  selected = new Set();
  renderList();
  await ctx.loadJobs().catch(ctx.report);
  notice($("bank-msg"), "ok", { key: "bank.added", params: { n: ids.length, title: job.title } }, " ",
    el("a", { href: `#job/${job.id}` }, tx(el("span"), "bank.openJob"))).focus();
}

async function importFile(input) {
  const file = input.files?.[0];
  input.value = "";
  if (!file) return;
  const report = $("bank-import-report");
  report.replaceChildren();
  clearNotice($("bank-msg"));
  let document;
  try {
    document = await readJsonFile(file);
  } catch (problem) {
    notice($("bank-msg"), "error", problem).focus();
    return;
  }
  let result;
  try {
    result = await send("/api/bank/import", { json: document });
  } catch (error) {
    if (error.code === "redirecting") return;
    if (error.code !== "invalid_document") {
      notice($("bank-msg"), "error", describeError(error)).focus();
      return;
    }
    const errors = error.details?.errors ?? [];
    notice($("bank-msg"), "error", { key: "import.nothing", params: { name: file.name } }).focus();
    report.replaceChildren(importReport(errors, "import.col.item"));
    return;
  }
  await load();
  notice($("bank-msg"), "ok", { key: result.skipped.length ? "bank.importedSkipped" : "bank.imported",
    params: { n: result.created, skipped: result.skipped.length } }).focus();
}
