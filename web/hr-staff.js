// Staff accounts, for administrators: who has an account, with which role and departments and
// whether two-step verification is on; and adding one, whose first password is shown once.
import { translate } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";

const NEEDS_DEPARTMENT = ["reviewer", "dept_head"];

let users = null;

export function init() {}

// The view's markup comes from its <template> the first time an administrator opens it.
function build() {
  const template = $("staff-template");
  if (!template) return;
  const content = template.content.cloneNode(true);
  translate(content);
  template.replaceWith(content);
  $("staff-form").addEventListener("submit", submit);
  clearErrorsOnInput($("staff-form"));
  $("staff-copy").addEventListener("click", copy);
  $("staff-another").addEventListener("click", () => {
    showForm();
    $("staff-email").focus();
  });
  $("staff-new-link").addEventListener("click", () => {
    showForm();
    $("staff-new").scrollIntoView({ behavior: "smooth", block: "start" });
    $("staff-email").focus({ preventScroll: true });
  });
}

export async function show(_arg, { focus = false } = {}) {
  build();
  if (focus) $("staff-title").focus();
  render();
  await load();
}

export function rerender() {
  if (!$("staff-template")) render();
}

async function load() {
  try {
    users = (await api("/api/users")).users ?? [];
    clearNotice($("staff-msg"));
  } catch (error) {
    if (error.code !== "redirecting") notice($("staff-msg"), "error", describeError(error));
  }
  render();
}

// "Engineering, Sales，Support、Ops" → ["Engineering", "Sales", "Support", "Ops"]
export function splitDepartments(text) {
  return [...new Set(text.split(/[,\n\r，、;；]+/).map((name) => name.trim()).filter(Boolean))];
}

function rowFor(user) {
  return el("tr", { role: "row", class: user.disabled ? "disabled" : null },
    el("th", { scope: "row", role: "rowheader" },
      el("span", { text: user.name }),
      el("span", { class: "sub", text: user.email }),
      user.disabled ? tx(el("span", { class: "badge status-unknown" }), "staff.disabled") : null),
    cell("staff.col.role", tx(el("span"), `role.${user.role}`)),
    cell("staff.col.departments", user.departments.length
      ? el("span", { text: user.departments.join(", ") })
      : tx(el("span", { class: "none" }), ["admin", "hr"].includes(user.role) ? "staff.allDepartments" : "staff.noDepartments")),
    cell("staff.col.totp", tx(el("span", { class: user.totp_enabled ? "totp-on" : "totp-off" }),
      user.totp_enabled ? "staff.totpOn" : "staff.totpOff")));
}

function render() {
  $("staff-body").replaceChildren(...(users ?? []).map(rowFor));
}

function showForm() {
  $("staff-result").hidden = true;
  $("staff-password").value = "";
  $("staff-copy-status").textContent = "";
  $("staff-new").hidden = false;
  clearNotice($("staff-form-msg"));
  clearFieldErrors($("staff-form"));
}

async function submit(event) {
  event.preventDefault();
  const form = $("staff-form");
  const email = $("staff-email");
  const name = $("staff-name");
  const role = $("staff-role");
  const departments = splitDepartments($("staff-departments").value);
  clearFieldErrors(form);
  clearNotice($("staff-form-msg"));
  const problems = [];
  if (!email.value.trim()) problems.push([email, { key: "invalid.required" }]);
  if (!name.value.trim()) problems.push([name, { key: "invalid.required" }]);
  if (NEEDS_DEPARTMENT.includes(role.value) && !departments.length) {
    problems.push([$("staff-departments"), { key: "invalid.departmentsNeeded" }]);
  }
  if (problems.length) {
    for (const [input, message] of problems) showFieldError(input, message);
    problems[0][0].focus();
    return;
  }
  const done = busy($("staff-submit"), "staff.submitting");
  let data;
  try {
    data = await api("/api/users", {
      method: "POST",
      body: { email: email.value.trim(), name: name.value.trim(), role: role.value, departments },
    });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (error.code === "email_taken") {
      showFieldError(email, { key: "staff.emailTaken" });
      email.focus();
    } else if (!showApiFieldError(form, error)) {
      notice($("staff-form-msg"), "error", describeError(error));
    }
    return;
  }
  done();
  form.reset();
  users = [...(users ?? []), data.user];
  render();
  tx($("staff-result-title"), "staff.resultTitle", { email: data.user.email });
  $("staff-password").value = data.password;
  $("staff-new").hidden = true;
  $("staff-result").hidden = false;
  $("staff-result-title").focus();
}

async function copy() {
  const input = $("staff-password");
  const status = $("staff-copy-status");
  status.classList.remove("ok");
  try {
    await navigator.clipboard.writeText(input.value);
    tx(status, "staff.copied");
    status.classList.add("ok");
  } catch {
    input.focus();
    input.select();
    tx(status, "staff.copyManual");
  }
}

// Leaving the view forgets a password still on show: it is shown once.
export function hide() {
  if ($("staff-result") && !$("staff-result").hidden) showForm();
}
