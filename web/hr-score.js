// One answer's score and its explanation (scoring.result.AnswerScore.to_json()):
// the total with a bar, the summary, each component with its findings and quoted evidence.
//
// In English the scorer's own sentences are shown. In other languages a finding is rendered
// from its stable `code` and `params` with the catalog key `finding.<code>`, falling back to
// the English message when there is no key or the key needs a value the finding lacks.
import { language, t } from "./i18n.js";
import { el, tx } from "./hr-dom.js";
import { bar, pointsText } from "./hr-format.js";

const LIST_PARAMS = new Set(["matched", "indicators", "items", "missing", "fillers"]);
const POINT_PARAMS = new Set(["points", "max_points"]);

const langTag = (code) => (code === "zh" ? "zh-CN" : "en");

function translated(key, params) {
  const text = t(key, params);
  return text === key || /\{\w+\}/.test(text) ? null : text;
}

export function componentLabel(key) {
  return translated(`component.${key}`, {}) ?? key;
}

// "led, paired" → "“led”、“paired”" in the page's language.
function quoteList(value) {
  return value.split(", ").map((item) => t("list.quote", { item })).join(t("list.separator"));
}

// `jobLanguage` decides the unit of counts: words (English answers) or characters (Chinese).
function localParams(params, jobLanguage) {
  const local = { unit: t(`unit.${jobLanguage === "zh" ? "zh" : "en"}`) };
  for (const [name, value] of Object.entries(params ?? {})) {
    if (POINT_PARAMS.has(name) && typeof value === "number") local[name] = value.toFixed(1);
    else if (name === "element") local[name] = translated(`star.${value}`, {}) ?? value;
    else if (value === "") local[name] = t("finding.none");
    else if (LIST_PARAMS.has(name) && typeof value === "string") local[name] = quoteList(value);
    else local[name] = value;
  }
  return local;
}

export function findingText(finding, jobLanguage) {
  if (language() === "en") return finding.message;
  return translated(`finding.${finding.code}`, localParams(finding.params, jobLanguage)) ?? finding.message;
}

// The scorer's summary names the strongest and weakest components; rebuilt here the same way
// (lowest share first, ties by key) so it can be said in the page's language.
export function summaryText(explanation) {
  if (language() === "en" || !explanation) return explanation?.summary ?? "";
  if (explanation.status === "no_answer") return t("summary.noSpeech");
  const components = explanation.components ?? [];
  if (explanation.total == null || components.length < 2) return explanation.summary ?? "";
  const share = (c) => (c.max_points ? c.points / c.max_points : 0);
  const sorted = [...components].sort((a, b) => share(a) - share(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const weakest = sorted[0];
  const strongest = sorted[sorted.length - 1];
  return translated("summary.scored", {
    total: explanation.total,
    strongest: componentLabel(strongest.key), strongPoints: strongest.points, strongMax: strongest.max_points,
    weakest: componentLabel(weakest.key), weakPoints: weakest.points, weakMax: weakest.max_points,
  }) ?? explanation.summary ?? "";
}

function findingItem(finding, jobLanguage) {
  const evidence = finding.evidence ?? [];
  return el("li", { class: "finding" },
    el("p", { text: findingText(finding, jobLanguage) }),
    evidence.length
      ? el("ul", { class: "evidence", "aria-label": t("answer.evidence"), lang: langTag(jobLanguage) },
        evidence.map((quote) => el("li", {}, el("q", { text: quote }))))
      : null);
}

function componentItem(component, jobLanguage, key) {
  const findings = component.findings ?? [];
  const share = component.max_points ? component.points / component.max_points : 0;
  return el("li", { class: "component" },
    el("details", { dataset: { key: `${key}:${component.key}` } },
      el("summary", {},
        el("span", { class: "component-name", text: componentLabel(component.key) }),
        el("span", { class: "component-points", text: pointsText(component.points, component.max_points) }),
        bar(share, "component-bar")),
      findings.length
        ? el("ul", { class: "findings" }, findings.map((finding) => findingItem(finding, jobLanguage)))
        : tx(el("p", { class: "hint" }), "answer.noFindings")));
}

// The score line: "72 / 100" and a bar, or the "No answer" badge.
export function scoreLine(answer) {
  if (answer.status === "no_answer" || answer.score == null) {
    return el("p", { class: "score-line" }, tx(el("span", { class: "badge no-answer" }), "answer.noAnswer"));
  }
  return el("p", { class: "score-line" },
    tx(el("span", { class: "visually-hidden" }), "answer.scoreLabel"),
    el("span", { class: "score", text: `${answer.score} / 100` }),
    bar(answer.score / 100, "score-bar"));
}

// `key` names the answer, so the page can tell which explanations a reader had opened.
export function explanationBlock(answer, jobLanguage, key) {
  const explanation = answer.explanation ?? {};
  const components = explanation.components ?? [];
  const nodes = [];
  const summary = summaryText(explanation);
  if (summary) nodes.push(el("p", { class: "summary", text: summary }));
  if (components.length) {
    nodes.push(tx(el("h4"), "answer.breakdown"));
    nodes.push(el("ul", { class: "components" }, components.map((c) => componentItem(c, jobLanguage, key))));
  }
  return nodes;
}
