// Lost connections on one interview: each interruption (when, at which question and phase, how long
// the candidate was away, whether they came back), and the way back in for an interrupted interview.
import { t } from "./i18n.js";
import { cell, el, tx } from "./hr-dom.js";
import { interruptionsText, offlineText, timeElement } from "./hr-format.js";

const OUTCOMES = new Set(["resumed", "interrupted"]);  // none yet: the candidate may still come back

function questionText(index) {
  return index < 0 ? t("interruptions.practice") : t("interruptions.question", { n: index + 1 });
}

function phaseText(phase) {
  const key = `interruptions.phase.${phase}`;
  const text = t(key);
  return text === key ? String(phase ?? "") : text;
}

function outcomeBadge(outcome) {
  const known = OUTCOMES.has(outcome) ? outcome : "waiting";
  return el("span", { class: `badge outcome-${known}`, text: t(`interruptions.outcome.${known}`) });
}

function rowFor(item) {
  const offline = item.offline_seconds == null
    ? el("span", { class: "still-offline", text: t("interruptions.stillOffline") })
    : offlineText(item.offline_seconds);
  return el("tr", { role: "row" },
    el("th", { scope: "row", role: "rowheader" }, timeElement(item.started_at, { seconds: true })),
    cell("interruptions.col.question", questionText(item.question)),
    cell("interruptions.col.phase", phaseText(item.phase)),
    cell("interruptions.col.offline", offline, "num"),
    cell("interruptions.col.outcome", outcomeBadge(item.outcome)));
}

// The total time offline; an absence still going on has no length yet and is not in the total.
function offlineSummary(interruptions, total) {
  const closed = interruptions.filter((item) => item.offline_seconds != null).length;
  if (closed === interruptions.length) return t("interruptions.offlineTotal", { time: offlineText(total) });
  if (closed === 0) return t("interruptions.awayNow");
  return t("interruptions.offlineBefore", { time: offlineText(total) });
}

// The "Interruptions" section, or null when the connection never dropped.
export function interruptionsSection({ interview, interruptions = [], offline_seconds: offline = 0 }) {
  if (!interruptions.length && !["disconnected", "interrupted"].includes(interview.status)) return null;
  const section = el("section", { class: "card interruptions", "aria-labelledby": "interruptions-title" },
    tx(el("h2", { id: "interruptions-title" }), "interruptions.title"));
  if (!interruptions.length) {
    section.append(tx(el("p", { class: "hint" }), "interruptions.none"));
    return section;
  }
  section.append(el("p", { class: "interruptions-summary" },
    el("strong", { text: interruptionsText(interruptions.length) }), " · ",
    el("span", { text: offlineSummary(interruptions, offline) })));
  const head = ["col.when", "col.question", "col.phase", "col.offline", "col.outcome"].map((key) =>
    el("th", { scope: "col", role: "columnheader", class: key === "col.offline" ? "num" : null,
      text: t(`interruptions.${key}`) }));
  section.append(el("div", { class: "table-wrap" },
    el("table", { class: "data-table stack", id: "interruptions-table", role: "table" },
      el("caption", { class: "visually-hidden", text: t("interruptions.caption") }),
      el("thead", { role: "rowgroup" }, el("tr", { role: "row" }, head)),
      el("tbody", { role: "rowgroup" }, interruptions.map(rowFor)))));
  return section;
}

// For an interrupted interview: what reopening does, and the button that does it.
export function reopenBox(interview, onReopen) {
  if (interview.status !== "interrupted" || interview.data_deleted_at) return null;
  const button = tx(el("button", { type: "button", id: "detail-reopen", "aria-describedby": "reopen-text" }),
    "reopen.button");
  button.addEventListener("click", onReopen);
  return el("div", { class: "reopen-box" },
    tx(el("p", { id: "reopen-text" }), "reopen.text"),
    button);
}
