// The signed-in staff member in the top bar of the staff pages (a link to their account page),
// logging out, and where each role starts.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { el } from "./hr-dom.js";

export const HR_ROLES = ["admin", "hr"];

export function isHr(user) {
  return HR_ROLES.includes(user?.role);
}

// HR and admins start on the dashboard; department heads and reviewers on the review page.
export function homeFor(user) {
  return isHr(user) ? "/hr" : "/review";
}

// "Signed in as <e-mail> <role>" in `box`, the e-mail linking to /account; empty when nobody is signed in.
export function renderUser(box, user) {
  if (!user) {
    box.replaceChildren();
    return;
  }
  const here = location.pathname === "/account";
  box.replaceChildren(
    el("span", { class: "visually-hidden", text: t("topbar.signedInAs") }),
    el("a", { class: "email", href: "/account", title: t("topbar.account"), "aria-current": here ? "page" : null },
      user.email, el("span", { class: "visually-hidden", text: ` — ${t("topbar.account")}` })),
    el("span", { class: "role", text: t(`role.${user.role}`) }));
}

// Log out and go to the login page; `report` shows a failure other than "already logged out".
export async function logOut(button, report) {
  button.disabled = true;
  try {
    await api("/api/logout", { method: "POST", redirectOn401: false });
  } catch (error) {
    if (error.status !== 401) {
      button.disabled = false;
      report(error);
      return;
    }
  }
  location.assign("/login");
}
