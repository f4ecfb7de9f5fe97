// The audit log: newest first, 200 entries at a time, "Load older entries" pages back with
// ?before=<the oldest id shown>. Actions are named in words; details as "key: value" text.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { timeElement } from "./hr-format.js";

const PAGE_SIZE = 200;  // what the server sends at most per request

let entries = null;
let more = false;
let loading = false;

export function init() {
  $("audit-refresh").addEventListener("click", () => load());
  $("audit-older").addEventListener("click", () => load({ older: true }));
}

export async function show() {
  render();
  await load();
}

export function rerender() {
  render();
}

async function load({ older = false } = {}) {
  if (loading) return;
  loading = true;
  const button = older ? $("audit-older") : $("audit-refresh");
  const done = busy(button, older ? "audit.loadingOlder" : "common.refreshing", { soft: true });
  $("audit-table").setAttribute("aria-busy", "true");
  const shown = entries?.length ?? 0;
  try {
    const before = older && entries?.length ? `?before=${entries[entries.length - 1].id}` : "";
    const data = await api(`/api/audit${before}`);
    const page = data.entries ?? [];
    entries = older ? [...(entries ?? []), ...page] : page;
    more = page.length >= PAGE_SIZE;
    clearNotice($("audit-msg"));
  } catch (error) {
    if (error.code !== "redirecting") notice($("audit-msg"), "error", describeError(error));
  } finally {
    loading = false;
    done();
    $("audit-table").removeAttribute("aria-busy");
    render();
    if (older && entries) {
      tx($("audit-count"), "audit.count", { n: entries.length });
      // The button is gone when there is nothing older: go on reading at the first entry loaded.
      const first = $("audit-body").rows[shown]?.querySelector("th");
      if ($("audit-older").hidden && first) {
        first.tabIndex = -1;
        first.focus();
      }
    }
  }
}

// "recording.read" → "Replayed a recording" (the code stays visible for searching the log).
function actionCell(action) {
  const key = `audit.action.${action}`;
  const label = t(key);
  return cell("audit.col.action", [
    label === key ? el("span", { text: action }) : el("span", { text: label }),
    label === key ? null : el("span", { class: "sub code", text: action }),
  ]);
}

function valueText(value) {
  if (Array.isArray(value)) return value.map(valueText).join(", ");
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function detailText(detail) {
  if (!detail || typeof detail !== "object") return "";
  return Object.entries(detail).map(([key, value]) => `${key.replace(/_/g, " ")}: ${valueText(value)}`).join("; ");
}

function rowFor(entry) {
  const detail = detailText(entry.detail);
  return el("tr", { role: "row" },
    el("th", { scope: "row", role: "rowheader", class: "audit-time" }, timeElement(entry.at, { seconds: true })),
    cell("audit.col.actor", el("span", { class: "actor", text: entry.actor ?? "" })),
    actionCell(entry.action),
    cell("audit.col.target", entry.target ? el("span", { class: "code", text: entry.target }) : el("span", { class: "none", text: "—" })),
    cell("audit.col.detail", detail ? el("span", { class: "detail", text: detail }) : el("span", { class: "none", text: "—" })));
}

function render() {
  if (entries === null) {
    $("audit-body").replaceChildren();
    $("audit-empty").hidden = true;
    $("audit-older").hidden = true;
    return;
  }
  $("audit-body").replaceChildren(...entries.map(rowFor));
  $("audit-table").hidden = entries.length === 0;
  $("audit-empty").hidden = entries.length > 0;
  $("audit-older").hidden = !more;
}
