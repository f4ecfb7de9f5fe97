// The invitation of one interview, on its detail page: until when the link works, whether it was
// e-mailed, and what HR can do about it — send a new link (the old one stops working), change the
// expiry, or withdraw the invitation (after a confirmation; the candidate is told at once).
import { api } from "./hr-api.js";
import { busy, clearNotice, el, notice, tx } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { dateTime, timeElement } from "./hr-format.js";

const FINISHED = new Set(["completed", "declined"]);
const EXPIRABLE = new Set(["invited", "consented", "expired"]);

let dialog = null;

// Whether the link no longer opens the interview because it expired.
export function isExpired(interview, now = Date.now()) {
  if (interview.status === "expired") return true;
  return EXPIRABLE.has(interview.status) && interview.expires_at != null && Date.parse(interview.expires_at) <= now;
}

// "Withdrawn" in place of the status badge, for a withdrawn invitation (else null).
export function withdrawnBadge(interview) {
  return interview.revoked_at ? tx(el("span", { class: "badge status-revoked" }), "status.revoked") : null;
}

function confirmRevoke(name) {
  dialog ??= buildDialog();
  tx(dialog.querySelector("#revoke-text"), "revoke.text", { name });
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "revoke"), { once: true });
  });
}

function buildDialog() {
  const node = el("dialog", { id: "revoke-dialog", class: "confirm-dialog", "aria-labelledby": "revoke-title",
    "aria-describedby": "revoke-text" },
    el("form", { method: "dialog" },
      tx(el("h2", { id: "revoke-title" }), "revoke.title"),
      el("p", { id: "revoke-text" }),
      tx(el("p", {}), "revoke.after"),
      el("div", { class: "actions" },
        tx(el("button", { type: "submit", value: "cancel", class: "secondary", autofocus: true }), "revoke.cancel"),
        tx(el("button", { type: "submit", value: "revoke", class: "danger", id: "revoke-confirm" }), "revoke.confirm"))));
  document.body.append(node);
  return node;
}

function stateLine(iv) {
  if (iv.revoked_at) return el("p", { class: "invitation-state revoked" },
    tx(el("strong"), "invitation.revoked"), " ", timeElement(iv.revoked_at));
  if (isExpired(iv)) return el("p", { class: "invitation-state expired" },
    tx(el("strong"), "invitation.expired"), " ", timeElement(iv.expires_at));
  if (!EXPIRABLE.has(iv.status)) return tx(el("p", { class: "invitation-state" }), "invitation.started");
  if (!iv.expires_at) return tx(el("p", { class: "invitation-state" }), "invitation.noExpiry");
  return el("p", { class: "invitation-state" }, tx(el("span"), "invitation.expiresAt"), " ", timeElement(iv.expires_at));
}

function sentLine(iv) {
  if (!iv.invite_sent_count) return tx(el("p", { class: "hint" }), "invitation.notMailed");
  return tx(el("p", { class: "hint" }), iv.invite_sent_count === 1 ? "invitation.mailedOnce" : "invitation.mailedMany",
    { n: iv.invite_sent_count, at: dateTime(iv.invite_sent_at) });
}

// The "Invitation" box for the detail page, or null when the interview is over (nothing left to
// manage). After a change it calls `onChange(interview, after)`: the page redraws with the new
// interview, then calls `after(statusNode, linkNode)` of the new box to announce the result.
export function invitationBox(iv, { onChange }) {
  if (FINISHED.has(iv.status) && !iv.revoked_at) return null;
  const status = el("div", { class: "invitation-msg", "aria-live": "polite" });
  const box = el("section", { class: "invitation-box", "aria-labelledby": "invitation-title" },
    tx(el("h2", { id: "invitation-title" }), "invitation.title"),
    stateLine(iv), sentLine(iv), status);
  box.statusNode = status;
  if (iv.revoked_at) return box;

  const resend = tx(el("button", { type: "button", class: "secondary compact", id: "invitation-resend",
    "aria-describedby": "invitation-resend-hint" }), "invitation.resend");
  const revoke = tx(el("button", { type: "button", class: "danger compact", id: "invitation-revoke" }), "invitation.revoke");
  const days = el("input", { id: "invitation-days", type: "number", inputmode: "numeric", min: 1, max: 90, step: 1, value: 14 });
  const setExpiry = tx(el("button", { type: "button", class: "secondary compact", id: "invitation-set-expiry" }),
    "invitation.setExpiry");
  const linkBox = el("div", { class: "invitation-link" });

  resend.addEventListener("click", async () => {
    clearNotice(status);
    const done = busy(resend, "common.working");
    let data;
    try {
      data = await api(`/api/interviews/${iv.id}/resend`, { method: "POST", body: { send_email: true } });
    } catch (error) {
      done();
      if (error.code !== "redirecting") notice(status, "error", conflict(error)).focus();
      return;
    }
    done();
    onChange(data.interview, announceResend(data));
  });
  revoke.addEventListener("click", async () => {
    if (!await confirmRevoke(iv.candidate_name)) return;
    clearNotice(status);
    const done = busy(revoke, "common.working");
    let data;
    try {
      data = await api(`/api/interviews/${iv.id}/revoke`, { method: "POST" });
    } catch (error) {
      done();
      if (error.code !== "redirecting") notice(status, "error", conflict(error)).focus();
      return;
    }
    onChange(data.interview, (box2) => notice(box2, "ok", { key: "invitation.revokedDone" }).focus());
  });
  setExpiry.addEventListener("click", async () => {
    clearNotice(status);
    const n = Number(days.value);
    if (!Number.isInteger(n) || n < 1 || n > 90) {
      notice(status, "error", { key: "invalid.between", params: { low: 1, high: 90 } });
      days.focus();
      return;
    }
    const done = busy(setExpiry, "common.working");
    let data;
    try {
      data = await api(`/api/interviews/${iv.id}/expiry`, { method: "POST", body: { expires_in_days: n } });
    } catch (error) {
      done();
      if (error.code !== "redirecting") notice(status, "error", conflict(error)).focus();
      return;
    }
    onChange(data.interview, (box2) => notice(box2, "ok", { key: "invitation.expiryDone",
      params: { at: dateTime(data.interview.expires_at) } }).focus());
  });

  // After a resend: the new link (when it was not e-mailed) is shown once, here.
  function announceResend(data) {
    return (box2, links) => {
      if (data.mail?.status === "sent") {
        notice(box2, "ok", { key: "invitation.resentMailed", params: { email: data.interview.candidate_email } }).focus();
        return;
      }
      const key = data.mail?.status === "failed" ? "invitation.resentFailed" : "invitation.resentCopy";
      notice(box2, data.mail?.status === "failed" ? "error" : "ok", { key, params: { reason: data.mail?.message ?? "" } }).focus();
      const input = el("input", { id: "invitation-new-link", readonly: true, value: data.invite_url, spellcheck: "false" });
      const copy = tx(el("button", { type: "button", class: "compact" }), "invite.copy");
      copy.addEventListener("click", () => navigator.clipboard?.writeText(input.value).catch(() => input.select()));
      links.replaceChildren(el("div", { class: "field" },
        tx(el("label", { for: input.id }), "invitation.newLink"),
        el("div", { class: "copy-row" }, input, copy)), tx(el("p", { class: "hint" }), "invitation.newLinkOnce"));
    };
  }

  const expiryRow = EXPIRABLE.has(iv.status) ? el("div", { class: "expiry-row" },
    el("div", { class: "field" }, tx(el("label", { for: days.id }), "invitation.days"), days), setExpiry) : null;
  box.append(linkBox, expiryRow,
    el("div", { class: "head-actions invitation-actions" }, resend, revoke),
    tx(el("p", { class: "hint", id: "invitation-resend-hint" }), "invitation.resendHint"));
  box.linkNode = linkBox;
  return box;
}

function conflict(error) {
  const known = { candidate_connected: "invitation.connected", already_revoked: "invitation.alreadyRevoked",
    revoked: "invitation.alreadyRevoked", finished: "invitation.finished" };
  return known[error.code] ? { key: known[error.code] } : describeError(error);
}
