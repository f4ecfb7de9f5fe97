// Small DOM helpers for the HR pages. Text goes in through textContent only: candidate names,
// transcripts and server messages are untrusted and are never parsed as HTML.
import { t } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

// el("p", { class: "hint", text: "…" }, child, "text", …) → an element.
// Props: class, text, dataset, on<event>; `true` sets an empty attribute; null/false/undefined skip it.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

// A table cell that says which column it is in (data-label: shown on phones, where rows stack).
export function cell(labelKey, content, className) {
  return el("td", { role: "cell", class: className, dataset: { label: t(labelKey) } }, content);
}

// Set translated text and remember the key, so a language switch (translate(document)) redoes it.
export function tx(node, key, params) {
  node.dataset.i18n = key;
  if (params && Object.keys(params).length) node.dataset.i18nParams = JSON.stringify(params);
  else delete node.dataset.i18nParams;
  node.textContent = t(key, params);
  return node;
}

// Set a translated attribute (aria-label, title…) and remember its key for a language switch.
export function txAttr(node, attribute, key) {
  const others = (node.dataset.i18nAttr ?? "").split(";").filter((pair) => pair && !pair.startsWith(`${attribute}:`));
  node.dataset.i18nAttr = [...others, `${attribute}:${key}`].join(";");
  node.setAttribute(attribute, t(key));
  return node;
}

// A message in a live region: { key, params } (translated, follows the language) or { text } (as is).
export function messageNode(message, tag = "span") {
  const node = el(tag);
  if (message.key) tx(node, message.key, message.params);
  else node.textContent = message.text ?? "";
  return node;
}

// Show one notice (kind "error" | "ok" | "warn") in a container that is an aria-live region.
// Errors are alerts; confirmations are status messages.
const NOTICE_ROLES = { error: "alert", ok: "status" };

export function notice(container, kind, message, ...extra) {
  const box = el("div", { class: `alert ${kind}`, role: NOTICE_ROLES[kind] ?? null, tabindex: "-1" },
    messageNode(message), ...extra);
  container.replaceChildren(box);
  return box;
}

export function clearNotice(container) {
  container.replaceChildren();
}

// While a request runs: the button is disabled and says so; returns a function that restores it.
// `soft` keeps the button focusable (aria-disabled), for buttons that keep the focus, like Refresh;
// their click handlers must ignore clicks while a request runs.
export function busy(button, key = "common.working", { soft = false } = {}) {
  const saved = { i18n: button.dataset.i18n, text: button.textContent };
  if (soft) button.setAttribute("aria-disabled", "true");
  else button.disabled = true;
  button.setAttribute("aria-busy", "true");
  tx(button, key);
  return () => {
    if (soft) button.removeAttribute("aria-disabled");
    else button.disabled = false;
    button.removeAttribute("aria-busy");
    if (saved.i18n) tx(button, saved.i18n);
    else button.textContent = saved.text;
  };
}
