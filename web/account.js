// The signed-in staff member's own account (/account): who they are here (role, departments,
// two-step verification) and changing the password. Every role can open it.
import { languagePicker, preferredLanguage, setLanguage, t } from "./i18n.js";
import { api } from "./hr-api.js";
import { homeFor, logOut, renderUser } from "./hr-account.js";
import { $, busy, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showFieldError } from "./hr-errors.js";
import { newPasswordProblems, passwordMessage } from "./account-password.js";

const PAGE = "hr";

let user = null;

function report(error) {
  if (error?.code === "redirecting") return;
  notice($("app-status"), "error", describeError(error));
}

function fact(labelKey, value) {
  return el("div", { class: "fact" }, tx(el("dt"), labelKey), el("dd", {}, value));
}

function render() {
  renderUser($("user-info"), user);
  if (!user) return;
  const departments = user.departments?.length
    ? el("span", { text: user.departments.join(", ") })
    : tx(el("span", { class: "none" }), ["admin", "hr"].includes(user.role) ? "staff.allDepartments" : "staff.noDepartments");
  $("account-facts").replaceChildren(
    fact("staff.name", el("span", { text: user.name })),
    fact("staff.email", el("span", { text: user.email })),
    fact("staff.role", tx(el("span"), `role.${user.role}`)),
    fact("staff.departments", departments),
    fact("staff.col.totp", tx(el("span", { class: user.totp_enabled ? "totp-on" : "totp-off" }),
      user.totp_enabled ? "staff.totpOn" : "staff.totpOff")));
  $("account-facts").removeAttribute("aria-busy");
  tx($("account-totp-hint"), user.totp_enabled ? "account.totpOnHint" : "account.totpOffHint");
  $("account-totp-hint").hidden = false;
  $("password-username").value = user.email;
  for (const link of [$("brand"), $("back-home")]) link.href = homeFor(user);
}

async function submit(event) {
  event.preventDefault();
  const form = $("password-form");
  const current = $("current-password");
  const fresh = $("new-password");
  const repeat = $("repeat-password");
  clearFieldErrors(form);
  clearNotice($("password-status"));
  const problems = current.value ? [] : [[current, { key: "invalid.required" }]];
  problems.push(...newPasswordProblems(fresh, repeat, user?.email));
  if (!problems.length && fresh.value === current.value) problems.push([fresh, { key: "password.unchanged" }]);
  if (problems.length) {
    for (const [input, message] of problems) showFieldError(input, message);
    problems[0][0].focus();
    return;
  }
  const done = busy($("password-submit"), "account.submitting");
  let data;
  try {
    data = await api("/api/account/password", {
      method: "POST", body: { current_password: current.value, new_password: fresh.value },
    });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (error.code === "wrong_password") {
      current.value = "";
      showFieldError(current, { key: "account.wrongCurrent" });
      current.focus();
    } else if (error.code === "invalid" && ["current_password", "new_password"].includes(error.field)) {
      const input = error.field === "current_password" ? current : fresh;
      showFieldError(input, passwordMessage(error.message));
      input.focus();
    } else {
      notice($("password-status"), "error", describeError(error)).focus();
    }
    return;
  }
  done();
  form.reset();
  $("password-username").value = user.email;
  const n = data.other_sessions_ended ?? 0;
  notice($("password-status"), "ok", { key: n ? "account.changedOthers" : "account.changed", params: { n } }).focus();
}

async function main() {
  await setLanguage(PAGE, preferredLanguage("en"), { remember: false });
  languagePicker($("lang"), PAGE, render);
  $("logout").addEventListener("click", () => logOut($("logout"), report));
  $("password-form").addEventListener("submit", submit);
  clearErrorsOnInput($("password-form"));
  try {
    user = (await api("/api/me")).user;
  } catch (error) {
    report(error);
    return;
  }
  document.title = t("account.pageTitle");
  render();
}

main();
