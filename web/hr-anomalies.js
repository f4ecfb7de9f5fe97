// Anomalies — what in an interview HR should look at — in words: one line per anomaly (kind,
// question, what happened), for the live dashboard's list and for one interview's page.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { el, messageNode, tx } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { offlineText, timeOnly } from "./hr-format.js";

export const KINDS = ["interruption", "long_silence", "device_check_failed", "short_answer", "repeated_reconnects"];

function kindOf(anomaly) {
  return KINDS.includes(anomaly.kind) ? anomaly.kind : "unknown";
}

export function kindText(anomaly) {
  return t(`anomaly.kind.${kindOf(anomaly)}`);
}

// What happened, from the anomaly's detail: "Spoke 9 s of the 90 s allowed (10 %)".
export function detailText(anomaly) {
  const d = anomaly.detail ?? {};
  switch (anomaly.kind) {
    case "interruption": {
      const phase = t(`anomaly.phase.${d.phase}`);
      return t("anomaly.detail.interruption", { phase: phase.startsWith("anomaly.") ? String(d.phase ?? "") : phase });
    }
    case "long_silence":
      return t("anomaly.detail.long_silence", { time: offlineText(d.seconds) });
    case "device_check_failed": {
      const broken = [!d.camera && t("anomaly.device.camera"), !d.microphone && t("anomaly.device.microphone")]
        .filter(Boolean).join(t("anomaly.device.and"));
      const problem = d.problem ? t("anomaly.device.problem", { problem: d.problem }) : "";
      return t("anomaly.detail.device_check_failed", { devices: broken || "—", problem });
    }
    case "short_answer":
      return t("anomaly.detail.short_answer", {
        spoke: offlineText(d.spoke_seconds), allowed: offlineText(d.allowed_seconds),
        share: Math.round((Number(d.share) || 0) * 100),
      });
    case "repeated_reconnects":
      return t("anomaly.detail.repeated_reconnects", { n: d.count });
    default:
      return "";
  }
}

export function questionText(anomaly) {
  return anomaly.question == null ? "" : t("anomaly.question", { n: anomaly.question + 1 });
}

// One list item. `link(interview)` gives the href of the interview's page, or null for no link.
export function anomalyItem(anomaly, { link = null, withCandidate = true } = {}) {
  const kind = kindOf(anomaly);
  const at = new Date(anomaly.at);
  const when = Number.isNaN(at.getTime())
    ? el("span", { text: anomaly.at })
    : el("time", { datetime: anomaly.at, text: timeOnly(at), title: at.toLocaleString() });
  const href = link ? link(anomaly.interview) : null;
  const who = !withCandidate ? null : href
    ? el("a", { href, class: "anomaly-who", text: anomaly.interview.candidate_name })
    : el("span", { class: "anomaly-who", text: anomaly.interview.candidate_name });
  const question = questionText(anomaly);
  return el("li", { class: `anomaly anomaly-${kind}`, dataset: { id: String(anomaly.id) } },
    el("span", { class: "anomaly-when" }, when),
    el("span", { class: "anomaly-main" },
      el("span", { class: `anomaly-kind kind-${kind}`, text: kindText(anomaly) }),
      who ? [" ", who] : null,
      withCandidate ? el("span", { class: "anomaly-job", text: ` · ${anomaly.interview.job_title}` }) : null),
    el("span", { class: "anomaly-detail" },
      question ? el("span", { class: "anomaly-question", text: `${question} · ` }) : null,
      detailText(anomaly)));
}

// One interview's anomalies, for its page: a section that loads itself (and keeps what it loaded
// for a re-render, e.g. a language switch); a failure to load is said in the section.
const loaded = new Map();  // interview id → anomalies

export function anomaliesSection(interviewId) {
  const section = el("section", { class: "card anomalies-detail", "aria-labelledby": "anomalies-title" },
    tx(el("h2", { id: "anomalies-title" }), "anomaly.sectionTitle"));
  const body = el("div", {}, tx(el("p", { class: "hint" }), "common.loading"));
  section.append(body);
  const fill = (anomalies) => {
    if (!anomalies.length) {
      body.replaceChildren(tx(el("p", { class: "hint" }), "anomaly.none"));
      return;
    }
    body.replaceChildren(el("ol", { class: "anomaly-list" },
      anomalies.map((a) => anomalyItem(a, { withCandidate: false }))));
  };
  if (loaded.has(interviewId)) fill(loaded.get(interviewId));
  api(`/api/interviews/${interviewId}/anomalies`).then((data) => {
    loaded.set(interviewId, data.anomalies ?? []);
    fill(loaded.get(interviewId));
  }, (error) => {
    if (error.code === "redirecting") return;
    body.replaceChildren(el("p", { class: "alert error", role: "alert" }, messageNode(describeError(error))));
  });
  return section;
}
