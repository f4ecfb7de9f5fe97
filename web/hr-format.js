// How values look on the HR pages: dates, durations, points, statuses, job languages.
import { language, t } from "./i18n.js";
import { el, tx } from "./hr-dom.js";

export const JOB_LANGUAGES = { en: "English", zh: "简体中文" };
export const STATUSES = [
  "invited", "consented", "declined", "in_progress", "disconnected", "interrupted", "completed", "expired",
];

export function locale() {
  return language() === "zh" ? "zh-CN" : "en-GB";
}

// An ISO timestamp from the server as a local date and time; "" for null.
export function dateTime(iso, { seconds = false } = {}) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: seconds ? "medium" : "short" }).format(date);
}

export function timeOnly(date) {
  return new Intl.DateTimeFormat(locale(), { timeStyle: "short" }).format(date);
}

export function dateOnly(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(date);
}

// <time datetime="…">26 Nov 2026, 10:32</time>, or an em dash for "not yet".
export function timeElement(iso, { withTime = true, seconds = false } = {}) {
  if (!iso) return el("span", { class: "none", text: "—" });
  return el("time", { datetime: iso, text: withTime ? dateTime(iso, { seconds }) : dateOnly(iso) });
}

// 92.4 → "1:32"
export function duration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// Points as the scorer shows them: one decimal; whole maxima without one ("28.0 / 35").
export function pointsText(points, maxPoints) {
  const max = Number(maxPoints);
  return `${Number(points).toFixed(1)} / ${Number.isInteger(max) ? max : max.toFixed(1)}`;
}

export function statusBadge(status) {
  const known = STATUSES.includes(status) ? status : "unknown";
  return tx(el("span", { class: `badge status-${known}` }), `status.${known}`);
}

// "1 interruption" / "3 interruptions".
export function interruptionsText(n) {
  return t(n === 1 ? "interruptions.one" : "interruptions.many", { n });
}

// Time away from the interview, in words: "45 s", "2 min 05 s", "1 h 20 min".
export function offlineText(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return t("elapsed.seconds", { s });
  if (s < 3600) return t("elapsed.minutes", { m: Math.floor(s / 60), s: String(s % 60).padStart(2, "0") });
  return t("elapsed.hours", { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

export function jobLanguage(code) {
  return JOB_LANGUAGES[code] ?? code;
}

// A horizontal bar for a share 0..1; decorative (the number next to it is the real content).
export function bar(share, extraClass = "") {
  const fill = el("span", { class: "bar-fill" });
  fill.style.width = `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;
  return el("span", { class: `bar ${extraClass}`.trim(), "aria-hidden": "true" }, fill);
}

// "2 of 3" style counts, with the total when known.
export function answeredText(answered, total) {
  return total == null ? String(answered) : t("count.of", { n: answered, total });
}
