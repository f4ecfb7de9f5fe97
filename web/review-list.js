// The interviews this user may review (HR and admins: all; others: their departments), with at
// least one answer: candidate, job, department, status, answers, mean score, completion.
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { statusBadge, timeElement } from "./hr-format.js";
import { setStepUp } from "./review-stepup.js";

let rows = null;
let loading = false;

export function init() {
  $("list-refresh").addEventListener("click", load);
  // A click anywhere on a row opens it; the candidate's name is the real (keyboard) link.
  $("list-body").addEventListener("click", (event) => {
    if (event.target.closest("a") || String(window.getSelection() ?? "")) return;
    const row = event.target.closest("tr[data-href]");
    if (row) location.hash = row.dataset.href;
  });
}

export async function show() {
  render();
  await load();
}

export function rerender() {
  render();
}

async function load() {
  if (loading) return;
  loading = true;
  const done = busy($("list-refresh"), "common.refreshing", { soft: true });
  $("list-table").setAttribute("aria-busy", "true");
  try {
    const data = await api("/api/review/interviews");
    rows = data.interviews ?? [];
    setStepUp(data.step_up_expires_in);
    clearNotice($("list-msg"));
  } catch (error) {
    if (error.code !== "redirecting") notice($("list-msg"), "error", describeError(error));
  } finally {
    loading = false;
    done();
    $("list-table").removeAttribute("aria-busy");
    render();
  }
}

function rowFor(item) {
  const href = `#interview/${item.id}`;
  const mean = item.mean_score == null ? "—" : `${Number(item.mean_score).toFixed(1)} / 100`;
  return el("tr", { role: "row", dataset: { href } },
    el("th", { scope: "row", role: "rowheader", class: "candidate" }, el("a", { href, text: item.candidate_name })),
    cell("col.job", item.job_title ?? ""),
    cell("col.department", item.department ?? ""),
    cell("col.status", statusBadge(item.status)),
    cell("col.answered", String(item.answered ?? 0), "num"),
    cell("col.meanScore", mean, "num"),
    cell("col.completed", timeElement(item.completed_at)));
}

function render() {
  if (rows === null) {
    $("list-body").replaceChildren();
    $("list-empty").hidden = true;
    return;
  }
  $("list-body").replaceChildren(...rows.map(rowFor));
  $("list-table").hidden = rows.length === 0;
  $("list-empty").hidden = rows.length > 0;
}
