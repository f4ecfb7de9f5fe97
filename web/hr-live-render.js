// The live dashboard's pieces as DOM: count tiles, one row per interview being taken (a table on
// wide screens, cards on phones), and the anomaly list. Pure rendering: state in, elements out.
import { t } from "./i18n.js";
import { cell, el, tx } from "./hr-dom.js";
import { duration, interruptionsText, statusBadge } from "./hr-format.js";
import { anomalyItem } from "./hr-anomalies.js";

export const COUNT_KEYS = [
  "invited", "opened", "consented", "declined", "in_progress", "disconnected", "completed", "interrupted", "expired",
];
const LIVE_STATUSES = ["disconnected", "in_progress", "consented"];
const CAPTION_CHARS = 160;

export function tiles(counts) {
  return COUNT_KEYS.map((key) => el("li", { class: `tile tile-${key}` },
    el("span", { class: "tile-number", text: counts ? String(counts[key] ?? 0) : "—" }),
    el("span", { class: "tile-label", text: t(`live.count.${key}`) })));
}

// Live interviews first (waiting for the candidate, then in progress, then consented), newest first.
export function sortedRows(rows) {
  const rank = (row) => {
    const i = LIVE_STATUSES.indexOf(row.status);
    return i < 0 ? LIVE_STATUSES.length : i;
  };
  return [...rows].sort((a, b) => rank(a) - rank(b) || (b.order ?? 0) - (a.order ?? 0));
}

function whereText(row) {
  const total = row.question_count;
  if (row.step === "question" || (!row.step && row.status === "in_progress" && row.question >= 0)) {
    return t("live.where.question", { n: row.question + 1, total });
  }
  if (row.step && row.step !== "question") {
    const key = `live.step.${row.step}`;
    const text = t(key);
    return text === key ? row.step : text;
  }
  if (row.status === "completed") return t("live.step.done");
  return "—";
}

function whereCell(row) {
  const phase = row.step === "question" || row.step === "practice" ? row.phase : null;
  return el("span", { class: "where" },
    el("span", { text: whereText(row) }),
    phase && phase !== "idle" ? el("span", { class: `phase phase-${phase}`, text: t(`live.phase.${phase}`) }) : null);
}

export function elapsedText(row, now = Date.now()) {
  if (!row.started_at || !["in_progress", "disconnected"].includes(row.status)) return "—";
  const started = Date.parse(row.started_at);
  return Number.isNaN(started) ? "—" : duration((now - started) / 1000);
}

function qualityCell(row) {
  if (row.status === "disconnected" || row.away) {
    return el("span", { class: "quality quality-offline" }, tx(el("span", { class: "badge" }), "live.quality.offline"));
  }
  const q = row.quality;
  if (!q || !["in_progress", "consented"].includes(row.status)) return el("span", { class: "none", text: "—" });
  const grade = ["good", "fair", "poor", "no_media", "measuring"].includes(q.grade) ? q.grade : "measuring";
  const details = [];
  if (q.kbps != null) {
    details.push(q.kbps >= 1000 ? t("live.quality.mbps", { n: (q.kbps / 1000).toFixed(1) })
      : t("live.quality.kbps", { n: Math.round(q.kbps) }));
  }
  if (q.loss != null) details.push(t("live.quality.loss", { n: (q.loss * 100).toFixed(1) }));
  if (q.jitter_ms != null) details.push(t("live.quality.jitter", { n: Math.round(q.jitter_ms) }));
  if (q.rtt_ms != null) details.push(t("live.quality.rtt", { n: Math.round(q.rtt_ms) }));
  return el("span", { class: `quality quality-${grade}` },
    el("span", { class: "badge", text: t(`live.quality.${grade}`) }),
    details.length ? el("span", { class: "sub", text: details.join(" · ") }) : null);
}

function captionCell(row) {
  const caption = row.caption;
  if (!caption?.text) return el("span", { class: "none", text: "—" });
  const text = caption.text.length > CAPTION_CHARS ? `…${caption.text.slice(-CAPTION_CHARS)}` : caption.text;
  return el("span", { class: "caption" },
    el("span", { class: "caption-q", text: t("live.answerShort", { n: caption.question + 1 }) }),
    el("q", { text, lang: row.language === "zh" ? "zh-CN" : "en" }));
}

function scoresCell(row) {
  const answers = [...(row.answers ?? [])].sort((a, b) => a.question - b.question);
  if (!answers.length) return el("span", { class: "none", text: "—" });
  return el("ul", { class: "scores" }, answers.map((a) => el("li", {},
    el("span", { class: "caption-q", text: t("live.answerShort", { n: a.question + 1 }) }),
    a.status === "scored" && a.score != null
      ? el("strong", { class: "score-n", text: String(a.score) })
      : tx(el("span", { class: "none" }), "live.noAnswer"))));
}

export function rowElement(row, link) {
  const href = link(row);
  return el("tr", { role: "row", dataset: { id: row.id } },
    el("th", { scope: "row", role: "rowheader", class: "candidate" },
      el("a", { href, text: row.candidate_name }),
      el("span", { class: "sub", text: `${row.job_title} — ${row.department}` })),
    cell("live.col.status", el("span", { class: "status-cell" }, statusBadge(row.status),
      row.interruptions > 0 ? el("span", { class: "interruption-count", text: interruptionsText(row.interruptions) })
        : null)),
    cell("live.col.where", whereCell(row)),
    cell("live.col.elapsed", el("span", { class: "elapsed", text: elapsedText(row) }), "num"),
    cell("live.col.connection", qualityCell(row)),
    cell("live.col.caption", captionCell(row), "caption-cell"),
    cell("live.col.scores", scoresCell(row)));
}

export function anomalyList(anomalies, link) {
  return anomalies.map((a) => anomalyItem(a, { link: (interview) => link(interview) }));
}
