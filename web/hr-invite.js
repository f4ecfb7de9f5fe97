// Inviting a candidate: pick a job, name and e-mail → an invite link, shown once, to copy.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, clearNotice, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";

let ctx;

export function init(context) {
  ctx = context;
  ctx.onJobs(renderJobs);
  $("invite-form").addEventListener("submit", submit);
  clearErrorsOnInput($("invite-form"));
  $("invite-copy").addEventListener("click", copy);
  $("invite-another").addEventListener("click", () => {
    showForm();
    $("invite-name").focus();
  });
}

// `jobId` (from #invite/<id>) starts a fresh invitation for that job.
export function show(jobId) {
  renderJobs();
  if (jobId != null) {
    showForm();
    if (ctx.job(jobId)) $("invite-job").value = String(jobId);
  }
}

export function rerender() {
  renderJobs();
}

function renderJobs() {
  const select = $("invite-job");
  const keep = select.value;
  const placeholder = new Option(t("invite.chooseJob"), "");
  const options = ctx.jobs.map((job) => new Option(`${job.title} — ${job.department}`, String(job.id)));
  select.replaceChildren(placeholder, ...options);
  select.value = ctx.jobs.some((job) => String(job.id) === keep) ? keep : ctx.jobs.length === 1 ? String(ctx.jobs[0].id) : "";
  $("invite-nojobs").hidden = ctx.jobs.length > 0;
}

function showForm() {
  $("invite-result").hidden = true;
  $("invite-link").value = "";
  $("invite-copy-status").textContent = "";
  $("invite-card").hidden = false;
  clearNotice($("invite-msg"));
  clearFieldErrors($("invite-form"));
}

async function submit(event) {
  event.preventDefault();
  const form = $("invite-form");
  const job = $("invite-job");
  const name = $("invite-name");
  const email = $("invite-email");
  clearFieldErrors(form);
  clearNotice($("invite-msg"));
  const problems = [];
  if (!job.value) problems.push([job, { key: "invalid.chooseJob" }]);
  if (!name.value.trim()) problems.push([name, { key: "invalid.required" }]);
  if (!email.value.trim()) problems.push([email, { key: "invalid.required" }]);
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
      body: { job_id: Number(job.value), candidate_name: name.value.trim(), candidate_email: email.value.trim() },
    });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (!showApiFieldError(form, error)) notice($("invite-msg"), "error", describeError(error));
    return;
  }
  done();
  showResult(data);
}

function showResult(data) {
  const interview = data.interview;
  tx($("invite-result-title"), "invite.resultTitle", { name: interview.candidate_name });
  $("invite-link").value = data.invite_url;
  $("invite-view").href = `#interview/${interview.id}`;
  $("invite-copy-status").textContent = "";
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
