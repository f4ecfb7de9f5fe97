// Staff accounts, for administrators: who has an account, with which role, departments, second
// factor and state (active, invited, disabled); inviting a person by e-mail; and per account:
// resend the invitation, send a password reset, reset two-step verification, disable or enable —
// each after a confirmation. When the server cannot send mail, the link is shown once to pass on.
import { t, translate } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";
import { dateTime, timeElement } from "./hr-format.js";

const NEEDS_DEPARTMENT = ["reviewer", "dept_head"];

let users = null;
let mailConfigured = true;
let me = null;

export function init(ctx) {
  me = ctx?.user ?? null;
}

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
  $("view-staff").append(confirmDialog());
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
    const data = await api("/api/users");
    users = data.users ?? [];
    mailConfigured = data.mail_configured !== false;
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

// ---------- the list ----------

function statusCell(user) {
  const expired = user.status === "invited" && user.invite_expires_at && new Date(user.invite_expires_at) <= new Date();
  const key = user.status === "invited" ? (expired ? "staff.status.inviteExpired" : "staff.status.invited")
    : user.status === "disabled" ? "staff.status.disabled" : "staff.status.active";
  const badgeClass = { active: "account-active", invited: "account-invited", disabled: "account-disabled" }[user.status]
    ?? "status-unknown";
  const when = user.status === "disabled" ? ["staff.status.since", user.disabled_at]
    : user.status === "invited" && !expired ? ["staff.status.until", user.invite_expires_at] : null;
  return cell("staff.col.status", el("span", { class: "status-cell" },
    tx(el("span", { class: `badge ${badgeClass}` }), key),
    when && when[1] ? el("span", { class: "sub" }, tx(el("span"), when[0]), " ", timeElement(when[1])) : null));
}

function actionsFor(user) {
  const self = me && user.id === me.id;
  const actions = [];
  if (user.status === "invited") actions.push("resend");
  if (user.status === "active") actions.push("reset");
  if (user.totp_enabled && user.status !== "disabled") actions.push("totp");
  if (user.status === "disabled") actions.push("enable");
  else if (!self) actions.push("disable");
  return actions;
}

function actionButton(user, action) {
  return el("button", {
    type: "button", class: `compact ${action === "disable" ? "danger-outline" : "secondary"}`,
    text: t(`staff.action.${action}`), "aria-label": t(`staff.action.${action}Label`, { name: user.name }),
    dataset: { action, user: String(user.id) }, onclick: () => act(user, action),
  });
}

function rowFor(user) {
  const self = me && user.id === me.id;
  return el("tr", { role: "row", class: user.status === "disabled" ? "disabled" : null, dataset: { email: user.email } },
    el("th", { scope: "row", role: "rowheader" },
      el("span", { text: user.name }), self ? tx(el("span", { class: "you" }), "staff.you") : null,
      el("span", { class: "sub", text: user.email })),
    cell("staff.col.role", tx(el("span"), `role.${user.role}`)),
    cell("staff.col.departments", user.departments.length
      ? el("span", { text: user.departments.join(", ") })
      : tx(el("span", { class: "none" }), ["admin", "hr"].includes(user.role) ? "staff.allDepartments" : "staff.noDepartments")),
    cell("staff.col.totp", tx(el("span", { class: user.totp_enabled ? "totp-on" : "totp-off" }),
      user.totp_enabled ? "staff.totpOn" : "staff.totpOff")),
    statusCell(user),
    el("td", { role: "cell", class: "row-actions" },
      el("div", { class: "staff-actions" }, ...actionsFor(user).map((a) => actionButton(user, a)))));
}

function render() {
  $("staff-body").replaceChildren(...(users ?? []).map(rowFor));
  $("staff-mail-off").hidden = mailConfigured;
  tx($("staff-submit"), mailConfigured ? "staff.submit" : "staff.submitNoMail");
  tx($("staff-invite-hint"), mailConfigured ? "staff.inviteHint" : "staff.inviteHintNoMail");
}

function replaceUser(updated) {
  users = (users ?? []).map((user) => (user.id === updated.id ? updated : user));
  if (!users.some((user) => user.id === updated.id)) users.push(updated);
  render();
}

// ---------- actions on one account, each confirmed first ----------

const ENDPOINTS = { resend: "invite", reset: "password-reset", totp: "totp-reset", disable: "disable", enable: "enable" };

function confirmDialog() {
  return el("dialog", { id: "staff-dialog", class: "confirm-dialog", "aria-labelledby": "staff-dialog-title",
    "aria-describedby": "staff-dialog-text" },
  el("form", { method: "dialog" },
    el("h2", { id: "staff-dialog-title" }),
    el("p", { id: "staff-dialog-text" }),
    el("div", { class: "actions" },
      tx(el("button", { type: "submit", value: "cancel", class: "secondary", id: "staff-dialog-cancel", autofocus: true }),
        "staff.confirm.cancel"),
      el("button", { type: "submit", value: "confirm", id: "staff-dialog-confirm" }))));
}

function confirm(user, action) {
  const dialog = $("staff-dialog");
  const params = { name: user.name, email: user.email };
  tx($("staff-dialog-title"), `staff.confirm.${action}.title`, params);
  tx($("staff-dialog-text"), `staff.confirm.${action}.text`, params);
  const button = $("staff-dialog-confirm");
  tx(button, `staff.confirm.${action}.button`);
  button.className = action === "disable" ? "danger" : "";
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

async function act(user, action) {
  const trigger = document.querySelector(`[data-action="${action}"][data-user="${user.id}"]`);
  if (!(await confirm(user, action))) {
    trigger?.focus();
    return;
  }
  clearNotice($("staff-msg"));
  const done = trigger ? busy(trigger) : () => {};
  let data;
  try {
    data = await api(`/api/users/${user.id}/${ENDPOINTS[action]}`, { method: "POST" });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    const known = ["own_account", "last_admin", "not_invited", "invited", "disabled"].includes(error.code);
    notice($("staff-msg"), "error", known ? { key: `staff.error.${error.code}` } : describeError(error)).focus();
    return;
  }
  replaceUser(data.user);
  if (data.delivery) {
    showDelivery(data.user, action === "reset" ? "reset" : "invite", data.delivery);
    return;
  }
  const key = { disable: "staff.done.disabled", enable: "staff.done.enabled", totp: "staff.done.totp" }[action];
  notice($("staff-msg"), "ok", { key, params: { name: data.user.name, n: data.sessions_ended ?? 0 } }).focus();
}

// ---------- inviting ----------

function showForm() {
  $("staff-result").hidden = true;
  $("staff-link").value = "";
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
  replaceUser(data.user);
  showDelivery(data.user, "invite", data.delivery);
}

// What happened to a link: mailed (say so), or not (show it once, with why and until when).
function showDelivery(user, kind, delivery) {
  const params = { name: user.name, email: user.email, date: dateTime(delivery.expires_at) };
  $("staff-new").hidden = true;
  $("staff-result").hidden = false;
  $("staff-copy-status").textContent = "";
  if (delivery.sent) {
    tx($("staff-result-title"), `staff.result.sentTitle.${kind}`, params);
    notice($("staff-result-msg"), "ok", { key: `staff.result.sent.${kind}`, params });
    $("staff-link-box").hidden = true;
    $("staff-link").value = "";
  } else {
    tx($("staff-result-title"), `staff.result.linkTitle.${kind}`, params);
    const reason = delivery.problem === "not_configured"
      ? { key: "staff.result.notConfigured", params }
      : { key: "staff.result.mailFailed", params: { ...params, problem: delivery.problem } };
    notice($("staff-result-msg"), "warn", reason);
    $("staff-link-box").hidden = false;
    $("staff-link").value = delivery.url;
    tx($("staff-once"), "staff.result.once", params);
  }
  $("staff-result").scrollIntoView({ block: "nearest" });
  $("staff-result-title").focus();
}

async function copy() {
  const input = $("staff-link");
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

// Leaving the view forgets a link still on show: it is shown once.
export function hide() {
  if ($("staff-result") && !$("staff-result").hidden) showForm();
  if ($("staff-dialog")?.open) $("staff-dialog").close();
}
