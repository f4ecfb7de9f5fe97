// Inviting a candidate: pick a job, name, e-mail and how long the link works → the invitation is
// e-mailed (when the server can send mail) or its link is shown once, to copy. Below it, inviting
// many candidates from a CSV file (hr-csv.js).
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";
import { dateTime } from "./hr-format.js";
import * as csv from "./hr-csv.js";

let ctx;

export function init(context) {
  ctx = context;
  ctx.onJobs(renderJobs);
  addFields();
  $("invite-form").addEventListener("submit", submit);
  clearErrorsOnInput($("invite-form"));
  $("invite-copy").addEventListener("click", copy);
  $("invite-another").addEventListener("click", () => {
    showForm();
    $("invite-name").focus();
  });
  csv.init(context);
}

// `jobId` (from #invite/<id>) starts a fresh invitation for that job.
export async function show(jobId) {
  renderJobs();
  if (jobId != null) {
    showForm();
    const job = ctx.job(jobId);
    if (job && !job.archived_at) $("invite-job").value = String(jobId);
  }
  await Promise.all([csv.show(jobId), applyOptions()]);
}

export function rerender() {
  renderJobs();
  csv.rerender();
}

// How long the link works and whether to e-mail it: added to the form of hr.html.
function addFields() {
  const days = el("input", { id: "invite-days", type: "number", inputmode: "numeric", min: 1, max: 90, step: 1,
    value: 14, dataset: { field: "expires_in_days" }, "aria-describedby": "invite-days-hint" });
  const mail = el("input", { type: "checkbox", id: "invite-mail", checked: true, dataset: { field: "send_email" } });
  $("invite-msg").before(
    el("div", { class: "field" }, tx(el("label", { for: days.id }), "invite.days"), days,
      tx(el("p", { class: "hint", id: "invite-days-hint" }), "invite.daysHint")),
    el("div", { class: "check", id: "invite-mail-row", hidden: true }, mail, tx(el("label", { for: mail.id }), "invite.mail")),
    tx(el("p", { class: "hint", id: "invite-no-mail", hidden: true }), "invite.noMail"));
}

async function applyOptions() {
  try {
    const options = await csv.invitationOptions();
    $("invite-mail-row").hidden = !options.mail;
    $("invite-no-mail").hidden = options.mail;
    $("invite-days").max = options.max_expiry_days;
  } catch (error) {
    ctx.report(error);
  }
}

function renderJobs() {
  const select = $("invite-job");
  const keep = select.value;
  const jobs = ctx.jobs.filter((job) => !job.archived_at);  // archived jobs take no new invitations
  const placeholder = new Option(t("invite.chooseJob"), "");
  const options = jobs.map((job) => new Option(`${job.title} — ${job.department}`, String(job.id)));
  select.replaceChildren(placeholder, ...options);
  select.value = jobs.some((job) => String(job.id) === keep) ? keep : jobs.length === 1 ? String(jobs[0].id) : "";
  $("invite-nojobs").hidden = jobs.length > 0;
}

function showForm() {
  $("invite-result").hidden = true;
  $("invite-link").value = "";
  $("invite-copy-status").textContent = "";
  $("invite-card").hidden = false;
  clearNotice($("invite-msg"));
  clearFieldErrors($("invite-form"));
}

const CONFLICTS = { already_invited: "invite.alreadyInvited", job_archived: "invite.jobArchived" };

async function submit(event) {
  event.preventDefault();
  const form = $("invite-form");
  const job = $("invite-job");
  const name = $("invite-name");
  const email = $("invite-email");
  const days = $("invite-days");
  clearFieldErrors(form);
  clearNotice($("invite-msg"));
  const problems = [];
  if (!job.value) problems.push([job, { key: "invalid.chooseJob" }]);
  if (!name.value.trim()) problems.push([name, { key: "invalid.required" }]);
  if (!email.value.trim()) problems.push([email, { key: "invalid.required" }]);
  const n = Number(days.value);
  if (!Number.isInteger(n) || n < 1 || n > Number(days.max)) problems.push([days, { key: "invalid.between", params: { low: 1, high: days.max } }]);
  if (problems.length) {
    for (const [input, message] of problems) showFieldError(input, message);
    problems[0][0].focus();
    return;
  }
  const done = busy($("invite-submit"), "invite.submitting");
  let data;
  try {
    data = await api("/api/interviews", {
      method: "POST",
      body: { job_id: Number(job.value), candidate_name: name.value.trim(), candidate_email: email.value.trim(),
        expires_in_days: n, send_email: $("invite-mail-row").hidden || $("invite-mail").checked },
    });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (CONFLICTS[error.code]) {
      const target = error.code === "job_archived" ? job : email;
      showFieldError(target, { key: CONFLICTS[error.code] });
      target.focus();
      if (error.code === "job_archived") ctx.loadJobs().catch(ctx.report);
    } else if (!showApiFieldError(form, error)) {
      notice($("invite-msg"), "error", describeError(error));
    }
    return;
  }
  done();
  showResult(data);
}

function showResult(data) {
  const interview = data.interview;
  const mailed = data.mail?.status === "sent";
  tx($("invite-result-title"), mailed ? "invite.mailedTitle" : "invite.resultTitle", { name: interview.candidate_name });
  $("invite-link").value = data.invite_url ?? "";
  $("invite-link").closest(".field").hidden = mailed;
  $("invite-once").hidden = mailed;
  $("invite-copy-status").textContent = "";
  const status = el("div", { id: "invite-mail-status" });
  $("invite-mail-status")?.remove();
  $("invite-result-title").after(status);
  const expires = { at: dateTime(interview.expires_at) };
  if (mailed) notice(status, "ok", { key: "invite.mailed", params: { email: interview.candidate_email, ...expires } });
  else if (data.mail?.status === "failed") notice(status, "error", { key: "invite.mailFailed", params: { reason: data.mail.message ?? "" } });
  else tx(status, "invite.expires", expires);
  $("invite-view").href = `#interview/${interview.id}`;
  $("invite-form").reset();
  renderJobs();
  $("invite-job").value = String(interview.job_id);
  $("invite-card").hidden = true;
  $("invite-result").hidden = false;
  $("invite-result-title").focus();
}

async function copy() {
  const input = $("invite-link");
  const status = $("invite-copy-status");
  status.classList.remove("ok");
  try {
    await navigator.clipboard.writeText(input.value);
    tx(status, "invite.copied");
    status.classList.add("ok");
  } catch {
    // No clipboard access (an insecure origin, or permission refused): select the text instead.
    input.focus();
    input.select();
    tx(status, "invite.copyManual");
  }
}
