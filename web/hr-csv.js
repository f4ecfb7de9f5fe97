// Inviting many candidates from a CSV file: choose the job and the file, see every row checked
// (the server's dry run) with each problem by row and column, fix the file and choose it again,
// then create all the invitations at once. Nothing is created while any row has a problem.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { dateTime, jobLanguage } from "./hr-format.js";
import { csvCell, downloadLink, importReport, send } from "./hr-import.js";

const SAMPLE = "name,email,language,expiry\nAna Li,ana.li@example.com,en,14\n李雷,lilei@example.com,zh,2026-12-31\n";

let ctx;
let options = null;   // GET /api/invitations/options
let checked = null;   // { file, jobId, days, send, preview } of the last check

export async function invitationOptions() {
  options ??= await api("/api/invitations/options");
  return options;
}

export function init(context) {
  ctx = context;
  ctx.onJobs(renderJobs);
  build();
}

export async function show(jobId) {
  renderJobs();
  if (jobId != null && ctx.job(jobId) && !ctx.job(jobId).archived_at) $("csv-job").value = String(jobId);
  try {
    const { mail, default_expiry_days: days, max_expiry_days: max, csv } = await invitationOptions();
    $("csv-mail-row").hidden = !mail;
    $("csv-no-mail").hidden = mail;
    const expiry = $("csv-days");
    if (!expiry.value) expiry.value = days;
    expiry.max = max;
    tx($("csv-limits"), "csv.limits", { rows: csv.max_rows, kib: Math.round(csv.max_bytes / 1024) });
  } catch (error) {
    ctx.report(error);
  }
}

export function rerender() {
  renderJobs();
  if (checked?.preview) renderPreview();
}

function build() {
  const job = el("select", { id: "csv-job" });
  const days = el("input", { id: "csv-days", type: "number", inputmode: "numeric", min: 1, max: 90, step: 1,
    "aria-describedby": "csv-days-hint" });
  const mail = el("input", { type: "checkbox", id: "csv-mail", checked: true });
  const file = el("input", { type: "file", id: "csv-file", accept: ".csv,text/csv", "aria-describedby": "csv-format" });
  for (const control of [job, days, mail]) control.addEventListener("change", () => { if (checked?.file) check(checked.file); });
  file.addEventListener("change", () => {
    const chosen = file.files?.[0];
    file.value = "";  // choosing the same (fixed) file again checks it again
    if (chosen) check(chosen);
  });
  $("invite-csv").replaceChildren(el("section", { class: "card", id: "csv-card", "aria-labelledby": "csv-title" },
    tx(el("h2", { id: "csv-title", tabindex: "-1" }), "csv.title"),
    el("div", { class: "csv-format", id: "csv-format" },
      tx(el("p", {}), "csv.format"),
      tx(el("p", { class: "hint" }), "csv.columns"),
      el("p", { class: "hint", id: "csv-limits" })),
    el("p", {}, downloadLink(SAMPLE, "intervox-invitations-sample.csv", "csv.sample")),
    el("div", { class: "grid-2" },
      el("div", { class: "field" }, tx(el("label", { for: job.id }), "csv.job"), job),
      el("div", { class: "field" }, tx(el("label", { for: days.id }), "csv.days"), days,
        tx(el("p", { class: "hint", id: "csv-days-hint" }), "csv.daysHint"))),
    el("div", { class: "check", id: "csv-mail-row", hidden: true }, mail, tx(el("label", { for: mail.id }), "csv.mail")),
    tx(el("p", { class: "hint", id: "csv-no-mail", hidden: true }), "csv.noMail"),
    el("div", { class: "field" }, tx(el("label", { for: file.id }), "csv.file"), file),
    el("div", { id: "csv-msg", "aria-live": "polite" }),
    el("div", { id: "csv-preview" }),
    el("div", { id: "csv-result" })));
}

function renderJobs() {
  const select = $("csv-job");
  if (!select) return;
  const keep = select.value;
  const jobs = ctx.jobs.filter((job) => !job.archived_at);
  select.replaceChildren(new Option(t("invite.chooseJob"), ""),
    ...jobs.map((job) => new Option(`${job.title} — ${job.department}`, String(job.id))));
  select.value = jobs.some((job) => String(job.id) === keep) ? keep : jobs.length === 1 ? String(jobs[0].id) : "";
}

function settings() {
  const days = Number($("csv-days").value || options?.default_expiry_days || 14);
  const mailing = $("csv-mail-row").hidden || $("csv-mail").checked;  // hidden: no mail server (the server says so)
  return { jobId: $("csv-job").value, days, send: mailing };
}

function url({ jobId, days, send: mailing }, dryRun) {
  const params = new URLSearchParams({ expires_in_days: String(days), send_email: mailing ? "1" : "0" });
  if (dryRun) params.set("dry_run", "1");
  return `/api/jobs/${jobId}/invitations/csv?${params}`;
}

// The dry run: the server reads the file exactly as it will when importing it.
async function check(file) {
  const status = $("csv-msg");
  clearNotice(status);
  $("csv-result").replaceChildren();
  const chosen = settings();
  const current = { file, ...chosen, preview: null };
  checked = current;
  if (!chosen.jobId) {
    $("csv-preview").replaceChildren();
    notice(status, "error", { key: "csv.chooseJob" });
    $("csv-job").focus();
    return;
  }
  if (!Number.isInteger(chosen.days) || chosen.days < 1 || chosen.days > (options?.max_expiry_days ?? 90)) {
    notice(status, "error", { key: "invalid.between", params: { low: 1, high: options?.max_expiry_days ?? 90 } });
    $("csv-days").focus();
    return;
  }
  const maxBytes = options?.csv?.max_bytes ?? 256 * 1024;
  if (file.size > maxBytes) {
    $("csv-preview").replaceChildren();
    notice(status, "error", { key: "csv.too_large", params: { max_kib: Math.round(maxBytes / 1024) } }).focus();
    return;
  }
  notice(status, "warn", { key: "csv.checking", params: { name: file.name } });
  try {
    const preview = await send(url(chosen, true), { body: file, contentType: "text/csv" });
    if (checked !== current) return;  // another file or setting was chosen meanwhile
    current.preview = preview;
  } catch (error) {
    if (error.code !== "redirecting" && checked === current) notice(status, "error", describeError(error)).focus();
    return;
  }
  renderPreview({ announce: true });
}

function previewRow(row, problems) {
  const check = row.ok ? tx(el("span", { class: "ok" }), "csv.rowOk")
    : tx(el("span", { class: "bad" }), "csv.rowBad", { n: problems.get(row.row) });
  return el("tr", { role: "row", class: row.ok ? null : "bad-row" },
    el("th", { scope: "row", role: "rowheader", class: "num where", dataset: { label: t("csv.col.row") }, text: String(row.row) }),
    cell("csv.col.name", row.name || "—"),
    cell("csv.col.email", row.email || "—"),
    cell("csv.col.language", row.ok ? (row.language ? jobLanguage(row.language) : t("csv.jobLanguage")) : row.language || "—"),
    cell("csv.col.expires", row.ok ? dateTime(row.expires_at) : "—"),
    cell("csv.col.check", check));
}

// Every row of the file: the good ones as they will be invited, the others as written, marked.
function previewTable(rows, errors) {
  const problems = new Map();
  for (const problem of errors) if (problem.row != null) problems.set(problem.row, (problems.get(problem.row) ?? 0) + 1);
  const all = rows.map((row) => ({ ...row, ok: row.ok && !problems.has(row.row) }));
  const head = ["csv.col.row", "csv.col.name", "csv.col.email", "csv.col.language", "csv.col.expires", "csv.col.check"]
    .map((key) => tx(el("th", { scope: "col", role: "columnheader" }), key));
  return el("div", { class: "table-wrap" },
    el("table", { class: "data-table stack", id: "csv-rows", role: "table" },
      tx(el("caption"), "csv.rowsCaption", { n: all.length }),
      el("thead", { role: "rowgroup" }, el("tr", { role: "row" }, head)),
      el("tbody", { role: "rowgroup" }, all.map((row) => previewRow(row, problems)))));
}

function renderPreview({ announce = false } = {}) {
  const { preview, file } = checked;
  const box = $("csv-preview");
  const status = $("csv-msg");
  const parts = [];
  if (preview.ignored_columns?.length) {
    parts.push(tx(el("p", { class: "hint" }), "csv.ignored", { columns: preview.ignored_columns.join(", ") }));
  }
  if (preview.errors.length) {
    const message = notice(status, "error", { key: "csv.invalid", params: { name: file.name, n: preview.errors.length } });
    parts.push(importReport(preview.errors, "csv.col.row", { caption: "csv.problemsCaption", columnKey: "csv.col.column" }));
    if (preview.rows.length) parts.push(previewTable(preview.rows, preview.errors));
    box.replaceChildren(...parts);
    if (announce) message.focus();
    return;
  }
  const create = tx(el("button", { type: "button", id: "csv-create" }), "csv.create", { n: preview.rows.length });
  create.addEventListener("click", createAll);
  const message = notice(status, "ok", { key: preview.mail ? "csv.readyMail" : "csv.ready",
    params: { name: file.name, n: preview.rows.length } });
  parts.push(previewTable(preview.rows, []), el("div", { class: "actions" }, create));
  box.replaceChildren(...parts);
  if (announce) message.focus();
}

async function createAll() {
  const current = checked;
  const done = busy($("csv-create"), "csv.creating");
  let data;
  try {
    data = await send(url(current, false), { body: current.file, contentType: "text/csv" });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (checked !== current) return;  // another file was chosen meanwhile
    if (error.code === "invalid_csv") {  // changed since the check (someone invited one of them meanwhile)
      current.preview = { ...current.preview, errors: error.details?.errors ?? [] };
      renderPreview({ announce: true });
    } else {
      notice($("csv-msg"), "error", describeError(error)).focus();
    }
    return;
  }
  checked = null;
  $("csv-preview").replaceChildren();
  renderResult(data.created);
}

function mailCell(item) {
  const mail = item.mail;
  if (mail.status === "sent") return tx(el("span", { class: "ok" }), "csv.mailSent");
  if (mail.status === "failed") return el("span", { class: "bad" }, tx(el("span"), "csv.mailFailed"), " ", el("span", { class: "sub", text: mail.message ?? "" }));
  return tx(el("span"), mail.status === "skipped" ? "csv.mailSkipped" : "csv.mailOff");
}

function renderResult(created) {
  const links = created.filter((item) => item.invite_url);
  const sent = created.length - links.length;
  const message = notice($("csv-msg"), "ok", { key: sent ? "csv.created" : "csv.createdNoMail", params: { n: created.length, sent } });
  const table = el("div", { class: "table-wrap" },
    el("table", { class: "data-table stack", id: "csv-created", role: "table" },
      tx(el("caption"), "csv.createdCaption", { n: created.length }),
      el("thead", { role: "rowgroup" }, el("tr", { role: "row" },
        ...["csv.col.name", "csv.col.email", "csv.col.mail", "csv.col.link"]
          .map((key) => tx(el("th", { scope: "col", role: "columnheader" }), key)))),
      el("tbody", { role: "rowgroup" }, created.map((item) => el("tr", { role: "row" },
        el("th", { scope: "row", role: "rowheader" },
          el("a", { href: `#interview/${item.interview.id}`, text: item.interview.candidate_name })),
        cell("csv.col.email", item.interview.candidate_email),
        cell("csv.col.mail", mailCell(item)),
        cell("csv.col.link", item.invite_url
          ? el("input", { readonly: true, value: item.invite_url, class: "link-field", "aria-label": t("csv.linkFor", { name: item.interview.candidate_name }) })
          : el("span", { class: "none", text: "—" }), "link-cell"))))));
  const parts = [table];
  if (links.length) {
    const text = `name,email,link\r\n${links.map((item) => [item.interview.candidate_name, item.interview.candidate_email,
      item.invite_url].map(csvCell).join(",")).join("\r\n")}\r\n`;
    parts.unshift(tx(el("p", { class: "alert warn" }), "csv.linksOnce", { n: links.length }),
      el("p", {}, downloadLink(text, "intervox-invitation-links.csv", "csv.downloadLinks")));
  }
  $("csv-result").replaceChildren(...parts);
  message.focus();
}
