// Integrations, for administrators: webhook subscriptions that push signed events to other systems
// (an applicant tracking system), the signing secret shown once, and each subscription's delivery
// log with redelivery. #webhooks lists them; #webhooks/<id> also opens that one's deliveries.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";
import { timeElement } from "./hr-format.js";

const EVENTS = ["interview.completed", "answer.scored", "interview.declined", "interview.interrupted"];
const DELIVERY_BADGES = { delivered: "status-completed", pending: "status-in_progress", failed: "status-declined" };
const FILTERS = ["", "failed", "pending", "delivered"];

let hooks = null;
let selected = null;  // the subscription whose deliveries are open
let deliveries = null;
let older = null;  // cursor of the next older page, if any
let built = false;
let refreshTimer = null;

export function init() {}

export async function show(id, { focus = false } = {}) {
  build();
  const opened = id !== null && id !== undefined && id !== selected;
  if (id !== selected) older = null;
  selected = id ?? null;
  if (focus) $("webhooks-title").focus();
  render();
  await loadHooks();
  if (selected !== null) await loadDeliveries();
  else deliveries = null;
  renderDeliveries();
  if (opened) $("webhooks-deliveries-title").focus();
}

export function rerender() {
  if (!built) return;
  render();
  renderDeliveries();
}

// Leaving the view forgets a secret still on show: it is shown once.
export function hide() {
  if (built) closeSecret();
  clearTimeout(refreshTimer);
}

// ---------- markup (built on first use, administrators only) ----------

function build() {
  if (built) return;
  built = true;
  $("view-webhooks").replaceChildren(
    el("div", { class: "view-head" },
      tx(el("h1", { id: "webhooks-title", tabindex: "-1" }), "webhooks.title"),
      tx(el("button", { type: "button", class: "secondary", id: "webhooks-new-link", onclick: openForm }),
        "webhooks.newLink")),
    tx(el("p", { class: "hint webhooks-intro" }), "webhooks.intro"),
    el("div", { class: "card" },
      tx(el("h2", { id: "webhooks-list-title" }), "webhooks.listTitle"),
      el("div", { id: "webhooks-msg", "aria-live": "polite" }),
      el("ul", { id: "webhooks-list", class: "webhook-list", "aria-labelledby": "webhooks-list-title" }),
      tx(el("p", { id: "webhooks-empty", class: "empty", hidden: true }), "webhooks.empty")),
    deliveriesCard(),
    formCard(),
    secretCard());
  document.body.append(confirmDialog());
  $("webhooks-form").addEventListener("submit", submit);
  clearErrorsOnInput($("webhooks-form"));
}

function formCard() {
  const events = EVENTS.map((name) => {
    const id = `webhooks-event-${name.replace(".", "-")}`;
    return el("div", { class: "check webhook-event" },
      el("input", { type: "checkbox", id, name: "events", value: name, checked: true,
        "aria-describedby": `${id}-hint` }),
      el("label", { for: id }, tx(el("span", { class: "event-name" }), `webhooks.event.${name}`),
        el("code", { class: "event-code", text: name })),
      tx(el("p", { class: "hint", id: `${id}-hint` }), `webhooks.eventHint.${name}`));
  });
  return el("div", { class: "card narrow", id: "webhooks-new" },
    tx(el("h2", { id: "webhooks-new-title", tabindex: "-1" }), "webhooks.newTitle"),
    el("form", { id: "webhooks-form", novalidate: true, "aria-labelledby": "webhooks-new-title" },
      el("div", { class: "field" },
        tx(el("label", { for: "webhooks-url" }), "webhooks.url"),
        el("input", { id: "webhooks-url", type: "url", "data-field": "url", required: true, maxlength: "2000",
          autocomplete: "off", spellcheck: "false", autocapitalize: "none", inputmode: "url",
          placeholder: "https://ats.example.com/hooks/intervox", "aria-describedby": "webhooks-url-hint" }),
        tx(el("p", { class: "hint", id: "webhooks-url-hint" }), "webhooks.urlHint")),
      el("div", { class: "field" },
        tx(el("label", { for: "webhooks-description" }), "webhooks.description"),
        el("input", { id: "webhooks-description", "data-field": "description", maxlength: "200",
          autocomplete: "off" })),
      el("fieldset", { "data-field": "events", class: "webhook-events" },
        tx(el("legend"), "webhooks.events"),
        el("div", { class: "group-error" }),
        ...events),
      el("div", { id: "webhooks-form-msg", "aria-live": "polite" }),
      el("div", { class: "actions" },
        tx(el("button", { type: "submit", id: "webhooks-submit" }), "webhooks.submit"))));
}

function secretCard() {
  return el("div", { class: "card", id: "webhooks-secret-card", hidden: true },
    el("h2", { id: "webhooks-secret-title", tabindex: "-1" }),
    el("div", { class: "field" },
      tx(el("label", { for: "webhooks-secret" }), "webhooks.secret"),
      el("div", { class: "copy-row" },
        el("input", { id: "webhooks-secret", readonly: true, spellcheck: "false", autocomplete: "off",
          "aria-describedby": "webhooks-secret-once webhooks-secret-how" }),
        tx(el("button", { type: "button", id: "webhooks-copy", onclick: copySecret }), "webhooks.copy"))),
    el("p", { id: "webhooks-copy-status", class: "copy-status", "aria-live": "polite" }),
    tx(el("p", { id: "webhooks-secret-once", class: "alert warn" }), "webhooks.secretOnce"),
    el("p", { id: "webhooks-secret-how", class: "hint" }, tx(el("span"), "webhooks.secretHow"), " ",
      el("code", { class: "signature-format", text: "Intervox-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>" })),
    el("div", { class: "actions" },
      tx(el("button", { type: "button", class: "secondary", id: "webhooks-secret-done", onclick: () => {
        closeSecret();
        $("webhooks-title").focus();
      } }), "webhooks.secretDone")));
}

function deliveriesCard() {
  const filter = el("select", { id: "webhooks-filter" },
    ...FILTERS.map((value) => tx(el("option", { value }), value ? `webhooks.filter.${value}` : "webhooks.filter.all")));
  filter.addEventListener("change", () => loadDeliveries().then(renderDeliveries));
  return el("section", { class: "card", id: "webhooks-deliveries", hidden: true, "aria-labelledby": "webhooks-deliveries-title" },
    el("h2", { id: "webhooks-deliveries-title", tabindex: "-1" }),
    el("div", { class: "toolbar" },
      el("div", { class: "field" }, tx(el("label", { for: "webhooks-filter" }), "webhooks.filter.label"), filter),
      tx(el("button", { type: "button", class: "secondary", id: "webhooks-refresh",
        onclick: () => refreshDeliveries($("webhooks-refresh")) }), "common.refresh"),
      tx(el("a", { href: "#webhooks", class: "back" }), "webhooks.closeDeliveries")),
    el("div", { id: "webhooks-deliveries-msg", "aria-live": "polite" }),
    el("div", { class: "table-wrap" },
      el("table", { class: "data-table stack", id: "webhooks-deliveries-table", role: "table" },
        tx(el("caption", { class: "visually-hidden" }), "webhooks.deliveries.caption"),
        el("thead", { role: "rowgroup" }, el("tr", { role: "row" },
          ...["event", "status", "attempts", "result"].map((col) => tx(
            el("th", { scope: "col", role: "columnheader", class: col === "attempts" ? "num" : null }),
            `webhooks.col.${col}`)),
          el("th", { scope: "col", role: "columnheader" },
            tx(el("span", { class: "visually-hidden" }), "col.actions")))),
        el("tbody", { role: "rowgroup", id: "webhooks-deliveries-body" }))),
    tx(el("p", { id: "webhooks-deliveries-empty", class: "empty", hidden: true }), "webhooks.deliveries.empty"),
    el("div", { class: "actions" },
      tx(el("button", { type: "button", class: "secondary", id: "webhooks-older", hidden: true,
        onclick: () => loadDeliveries({ more: true }).then(renderDeliveries) }), "webhooks.older")));
}

function confirmDialog() {
  return el("dialog", { id: "webhooks-dialog", class: "confirm-dialog", "aria-labelledby": "webhooks-dialog-title",
    "aria-describedby": "webhooks-dialog-text" },
  el("form", { method: "dialog" },
    el("h2", { id: "webhooks-dialog-title" }),
    el("p", { id: "webhooks-dialog-text" }),
    el("div", { class: "actions" },
      tx(el("button", { type: "submit", value: "cancel", class: "secondary", autofocus: true }), "webhooks.cancel"),
      el("button", { type: "submit", value: "confirm", id: "webhooks-dialog-confirm" }))));
}

// ---------- the subscriptions ----------

async function loadHooks() {
  try {
    hooks = (await api("/api/webhooks")).webhooks ?? [];
    clearNotice($("webhooks-msg"));
  } catch (error) {
    if (error.code !== "redirecting") notice($("webhooks-msg"), "error", describeError(error));
  }
  render();
}

function eventList(events) {
  return el("ul", { class: "webhook-event-list" },
    ...events.map((name) => el("li", {}, tx(el("span"), `webhooks.event.${name}`))));
}

function stats(hook) {
  const parts = [];
  if (hook.pending) parts.push(tx(el("span", { class: "webhook-stat pending" }), "webhooks.stat.pending", { n: hook.pending }));
  if (hook.failed) parts.push(tx(el("span", { class: "webhook-stat failed" }), "webhooks.stat.failed", { n: hook.failed }));
  parts.push(hook.last_delivered_at
    ? el("span", { class: "webhook-stat" }, tx(el("span"), "webhooks.stat.lastDelivered"), " ",
      timeElement(hook.last_delivered_at))
    : tx(el("span", { class: "webhook-stat none" }), "webhooks.stat.neverDelivered"));
  return el("p", { class: "webhook-stats" }, ...parts);
}

function actionButton(hook, action, key, handler, className = "secondary compact") {
  return tx(el("button", { type: "button", class: className, dataset: { action, webhook: hook.id },
    onclick: (event) => handler(hook, event.currentTarget) }), key);
}

function itemFor(hook) {
  const open = selected === hook.id;
  return el("li", { class: `webhook-item${hook.active ? "" : " paused"}${open ? " open" : ""}` },
    el("div", { class: "webhook-head" },
      el("code", { class: "webhook-url", text: hook.url }),
      tx(el("span", { class: `badge ${hook.active ? "status-completed" : "status-expired"}` }),
        hook.active ? "webhooks.active" : "webhooks.paused")),
    hook.description ? el("p", { class: "webhook-description", text: hook.description }) : null,
    eventList(hook.events),
    stats(hook),
    el("div", { class: "row-actions webhook-actions" },
      el("a", { class: "button compact", href: `#webhooks/${hook.id}`, "aria-current": open ? "true" : null },
        tx(el("span"), "webhooks.showDeliveries")),
      actionButton(hook, "ping", "webhooks.ping", ping),
      actionButton(hook, "toggle", hook.active ? "webhooks.pause" : "webhooks.resume", toggle),
      actionButton(hook, "rotate", "webhooks.rotate", rotate),
      actionButton(hook, "delete", "webhooks.delete", remove, "danger compact")));
}

function render() {
  if (!built) return;
  $("webhooks-list").replaceChildren(...(hooks ?? []).map(itemFor));
  $("webhooks-empty").hidden = hooks === null || hooks.length > 0;
}

function replaceHook(updated) {
  hooks = (hooks ?? []).map((hook) => (hook.id === updated.id ? updated : hook));
  if (!hooks.some((hook) => hook.id === updated.id)) hooks.push(updated);
  render();
}

function refocus(hook, action) {
  document.querySelector(`[data-action="${action}"][data-webhook="${hook.id}"]`)?.focus();
}

function confirm(kind, hook) {
  const dialog = $("webhooks-dialog");
  tx($("webhooks-dialog-title"), `webhooks.confirm.${kind}.title`);
  tx($("webhooks-dialog-text"), `webhooks.confirm.${kind}.text`, { url: hook.url });
  const button = $("webhooks-dialog-confirm");
  tx(button, `webhooks.confirm.${kind}.button`);
  button.className = kind === "delete" ? "danger" : "";
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
  });
}

async function call(button, path, options, onDone) {
  clearNotice($("webhooks-msg"));
  const done = busy(button);
  try {
    const data = await api(path, options);
    done();
    await onDone(data);
  } catch (error) {
    done();
    if (error.code !== "redirecting") notice($("webhooks-msg"), "error", describeError(error)).focus();
  }
}

async function toggle(hook, button) {
  await call(button, `/api/webhooks/${hook.id}`, { method: "PATCH", body: { active: !hook.active } }, (data) => {
    replaceHook(data.webhook);
    refocus(data.webhook, "toggle");
    notice($("webhooks-msg"), "ok", { key: data.webhook.active ? "webhooks.done.resumed" : "webhooks.done.paused" });
  });
}

async function ping(hook, button) {
  await call(button, `/api/webhooks/${hook.id}/ping`, { method: "POST" }, () => {
    notice($("webhooks-msg"), "ok", { key: "webhooks.done.ping" });
    refocus(hook, "ping");
    if (selected === hook.id) laterRefresh();
  });
}

async function rotate(hook, button) {
  if (!(await confirm("rotate", hook))) return refocus(hook, "rotate");
  await call(button, `/api/webhooks/${hook.id}/secret`, { method: "POST" }, (data) => {
    replaceHook(data.webhook);
    showSecret(data.webhook, data.secret, "webhooks.secretRotatedTitle");
  });
}

async function remove(hook, button) {
  if (!(await confirm("delete", hook))) return refocus(hook, "delete");
  await call(button, `/api/webhooks/${hook.id}`, { method: "DELETE" }, () => {
    hooks = hooks.filter((other) => other.id !== hook.id);
    render();
    notice($("webhooks-msg"), "ok", { key: "webhooks.done.deleted", params: { url: hook.url } }).focus();
    if (selected === hook.id) location.hash = "#webhooks";
  });
}

// ---------- adding one; the secret shown once ----------

function openForm() {
  closeSecret();
  $("webhooks-new").scrollIntoView({ behavior: "smooth", block: "start" });
  $("webhooks-url").focus({ preventScroll: true });
}

async function submit(event) {
  event.preventDefault();
  const form = $("webhooks-form");
  const url = $("webhooks-url");
  const events = [...form.querySelectorAll('input[name="events"]:checked')].map((box) => box.value);
  clearFieldErrors(form);
  clearNotice($("webhooks-form-msg"));
  const problems = [];
  if (!url.value.trim()) problems.push([url, { key: "invalid.required" }]);
  else if (!/^https?:\/\/[^\s/?#]+/i.test(url.value.trim())) problems.push([url, { key: "webhooks.invalidUrl" }]);
  if (!events.length) problems.push([form.querySelector("fieldset"), { key: "webhooks.invalidEvents" }]);
  if (problems.length) {
    const targets = problems.map(([target, message]) => showFieldError(target, message));
    targets[0].focus();
    return;
  }
  const done = busy($("webhooks-submit"), "webhooks.submitting");
  let data;
  try {
    data = await api("/api/webhooks", { method: "POST",
      body: { url: url.value.trim(), description: $("webhooks-description").value.trim(), events } });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (error.code === "invalid" && error.field === "url") {
      showFieldError(url, { key: "webhooks.invalidUrl" });
      url.focus();
    } else if (!showApiFieldError(form, error)) {
      notice($("webhooks-form-msg"), "error", describeError(error)).focus();
    }
    return;
  }
  done();
  form.reset();
  replaceHook(data.webhook);
  showSecret(data.webhook, data.secret, "webhooks.secretTitle");
}

function showSecret(hook, secret, titleKey) {
  tx($("webhooks-secret-title"), titleKey, { url: hook.url });
  $("webhooks-secret").value = secret;
  $("webhooks-copy-status").textContent = "";
  $("webhooks-new").hidden = true;
  $("webhooks-secret-card").hidden = false;
  $("webhooks-secret-card").scrollIntoView({ block: "nearest" });
  $("webhooks-secret-title").focus({ preventScroll: true });
}

function closeSecret() {
  $("webhooks-secret").value = "";
  $("webhooks-copy-status").textContent = "";
  $("webhooks-secret-card").hidden = true;
  $("webhooks-new").hidden = false;
}

async function copySecret() {
  const input = $("webhooks-secret");
  const status = $("webhooks-copy-status");
  status.classList.remove("ok");
  try {
    await navigator.clipboard.writeText(input.value);
    tx(status, "webhooks.copied");
    status.classList.add("ok");
  } catch {
    input.focus();
    input.select();
    tx(status, "webhooks.copyManual");
  }
}

// ---------- the delivery log of one subscription ----------

async function loadDeliveries({ more = false } = {}) {
  if (selected === null) return;
  const params = new URLSearchParams();
  const status = $("webhooks-filter").value;
  if (status) params.set("status", status);
  if (more && older !== null) params.set("before", older);
  const table = $("webhooks-deliveries-table");
  table.setAttribute("aria-busy", "true");
  try {
    const data = await api(`/api/webhooks/${selected}/deliveries?${params}`);
    deliveries = more ? [...(deliveries ?? []), ...data.deliveries] : data.deliveries;
    older = data.next;
    clearNotice($("webhooks-deliveries-msg"));
  } catch (error) {
    if (error.code === "redirecting") return;
    if (!more) deliveries = null;
    notice($("webhooks-deliveries-msg"), "error", error.status === 404 ? { key: "webhooks.notFound" } : describeError(error));
  } finally {
    table.removeAttribute("aria-busy");
  }
}

async function refreshDeliveries(button) {
  if (button.getAttribute("aria-disabled") === "true") return;
  const done = busy(button, "common.refreshing", { soft: true });
  await Promise.all([loadDeliveries(), loadHooks()]);
  done();
  renderDeliveries();
}

// After a test event or a redelivery, look again shortly: the worker sends at once.
function laterRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    await Promise.all([loadDeliveries(), loadHooks()]);
    renderDeliveries();
  }, 1500);
}

function resultOf(delivery) {
  const parts = [];
  if (delivery.last_status !== null) parts.push(el("span", { class: "http-status", text: `HTTP ${delivery.last_status}` }));
  if (delivery.last_error && delivery.last_status === null) parts.push(el("span", { class: "error-text", text: delivery.last_error }));
  if (!delivery.attempts) parts.push(tx(el("span", { class: "none" }), "webhooks.notTried"));
  const when = delivery.status === "pending" && delivery.next_attempt_at
    ? el("span", { class: "sub" }, tx(el("span"), "webhooks.nextTry"), " ", timeElement(delivery.next_attempt_at, { seconds: true }))
    : delivery.last_attempt_at
      ? el("span", { class: "sub" }, tx(el("span"), "webhooks.lastTry"), " ", timeElement(delivery.last_attempt_at, { seconds: true }))
      : null;
  return el("div", { class: "delivery-result" }, ...parts, when, attemptLog(delivery));
}

function attemptLog(delivery) {
  if (!delivery.attempt_log.length) return null;
  return el("details", { class: "attempt-log" },
    tx(el("summary"), "webhooks.attemptLog", { n: delivery.attempt_log.length }),
    el("ol", {}, ...delivery.attempt_log.map((attempt) => el("li", {},
      el("span", { class: "attempt-head" },
        tx(el("span"), "webhooks.attempt", { n: attempt.number }), " · ", timeElement(attempt.at, { seconds: true }),
        " · ", attempt.status_code !== null
          ? el("span", { text: `HTTP ${attempt.status_code}` })
          : tx(el("span"), "webhooks.noAnswer"),
        " · ", el("span", { text: `${attempt.duration_ms} ms` })),
      attempt.error && attempt.status_code === null ? el("span", { class: "error-text", text: attempt.error }) : null,
      attempt.response ? el("code", { class: "response", text: attempt.response }) : null))));
}

function rowFor(delivery) {
  // The button names its event for screen readers ("Redeliver: Answer scored"); a language switch re-renders it.
  const redeliver = tx(el("button", { type: "button", class: "secondary compact", dataset: { delivery: delivery.id },
    "aria-label": t("webhooks.redeliverLabel", { event: t(`webhooks.event.${delivery.event.type}`) }) }),
  "webhooks.redeliver");
  redeliver.addEventListener("click", () => redeliverOne(delivery, redeliver));
  return el("tr", { role: "row" },
    el("th", { scope: "row", role: "rowheader" },
      tx(el("span"), `webhooks.event.${delivery.event.type}`),
      el("span", { class: "sub" }, timeElement(delivery.event.created_at, { seconds: true })),
      el("code", { class: "sub code", text: delivery.id, title: "Intervox-Delivery" })),
    cell("webhooks.col.status", tx(el("span", { class: `badge ${DELIVERY_BADGES[delivery.status] ?? "status-unknown"}` }),
      `webhooks.status.${delivery.status}`)),
    cell("webhooks.col.attempts", el("span", { text: String(delivery.attempts) }), "num"),
    cell("webhooks.col.result", resultOf(delivery)),
    cell("col.actions", redeliver));
}

function renderDeliveries() {
  if (!built) return;
  const hook = (hooks ?? []).find((h) => h.id === selected);
  $("webhooks-deliveries").hidden = selected === null;
  if (selected === null) return;
  tx($("webhooks-deliveries-title"), "webhooks.deliveries.title", { url: hook?.url ?? `#${selected}` });
  $("webhooks-deliveries-body").replaceChildren(...(deliveries ?? []).map(rowFor));
  $("webhooks-deliveries-empty").hidden = deliveries === null || deliveries.length > 0;
  $("webhooks-older").hidden = older === null;
}

async function redeliverOne(delivery, button) {
  const done = busy(button);
  try {
    await api(`/api/webhooks/${selected}/deliveries/${delivery.id}/redeliver`, { method: "POST" });
    notice($("webhooks-deliveries-msg"), "ok", { key: "webhooks.done.redeliver" });
    laterRefresh();
  } catch (error) {
    if (error.code !== "redirecting") notice($("webhooks-deliveries-msg"), "error", describeError(error)).focus();
  } finally {
    done();
  }
}
