// The interviews list: candidate, job, status (and how often the connection was lost), answers,
// mean score and dates; filter by job.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { answeredText, interruptionsText, statusBadge, timeElement, timeOnly } from "./hr-format.js";
import { withdrawnBadge } from "./hr-invitation.js";

let ctx;
let rows = null;       // the last list the server sent, or null before the first one
let filter = "";       // a job id as a string, or "" for all jobs
let updatedAt = null;
let loading = false;

export function init(context) {
  ctx = context;
  ctx.onJobs(renderFilter);
  $("filter-job").addEventListener("change", () => {
    filter = $("filter-job").value;
    load();
  });
  $("interviews-refresh").addEventListener("click", () => load({ withJobs: true }));
  // A click anywhere on a row opens it; the candidate's name is the real (keyboard) link.
  $("interviews-body").addEventListener("click", (event) => {
    if (event.target.closest("a") || String(window.getSelection() ?? "")) return;
    const row = event.target.closest("tr[data-href]");
    if (row) location.hash = row.dataset.href;
  });
}

export async function show() {
  renderFilter();
  render();
  await load();
}

export function rerender() {
  renderFilter();
  render();
}

async function load({ withJobs = false } = {}) {
  if (loading) return;
  loading = true;
  const button = $("interviews-refresh");
  const done = busy(button, "common.refreshing", { soft: true });
  $("interviews-table").setAttribute("aria-busy", "true");
  try {
    if (withJobs) await ctx.loadJobs();
    const query = filter ? `?job_id=${encodeURIComponent(filter)}` : "";
    const data = await api(`/api/interviews${query}`);
    rows = data.interviews ?? [];
    updatedAt = new Date();
    clearNotice($("interviews-msg"));
  } catch (error) {
    if (error.code !== "redirecting") notice($("interviews-msg"), "error", describeError(error));
  } finally {
    loading = false;
    done();
    $("interviews-table").removeAttribute("aria-busy");
    render();
  }
}

function renderFilter() {
  const select = $("filter-job");
  const all = new Option(t("interviews.allJobs"), "");
  const options = ctx.jobs.map((job) => new Option(`${job.title} — ${job.department}`, String(job.id)));
  select.replaceChildren(all, ...options);
  if (filter && !ctx.jobs.some((job) => String(job.id) === filter)) filter = "";
  select.value = filter;
}

function statusCell(item) {
  const count = item.interruptions ?? 0;
  return el("span", { class: "status-cell" },
    withdrawnBadge(item) ?? statusBadge(item.status),
    count > 0 ? el("span", { class: "interruption-count", text: interruptionsText(count) }) : null);
}

function rowFor(item) {
  const href = `#interview/${item.id}`;
  const job = ctx.job(item.job_id);
  const mean = item.mean_score == null ? "—" : Number(item.mean_score).toFixed(1);
  return el("tr", { role: "row", dataset: { href } },
    el("th", { scope: "row", role: "rowheader", class: "candidate" },
      el("a", { href, text: item.candidate_name }),
      el("span", { class: "sub", text: item.candidate_email })),
    cell("col.job", item.job_title ?? job?.title ?? ""),
    cell("col.status", statusCell(item)),
    cell("col.answered", answeredText(item.answered ?? 0, job?.question_count), "num"),
    cell("col.meanScore", mean, "num"),
    cell("col.invited", timeElement(item.created_at)),
    cell("col.completed", timeElement(item.completed_at)),
  );
}

function render() {
  const body = $("interviews-body");
  const empty = $("interviews-empty");
  const table = $("interviews-table");
  if (updatedAt) {
    tx($("interviews-updated"), "interviews.updated", { time: timeOnly(updatedAt) });
  }
  if (rows === null) {
    body.replaceChildren();
    empty.hidden = true;
    return;
  }
  body.replaceChildren(...rows.map(rowFor));
  table.hidden = rows.length === 0;
  empty.hidden = rows.length > 0;
  if (!rows.length) tx(empty, filter ? "interviews.emptyFiltered" : "interviews.empty");
}
