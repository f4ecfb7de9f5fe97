// Campaign analytics (#analytics or #analytics/<job id>): a job or all jobs, an optional date
// range; summary figures, the candidate funnel, the score distribution, per-question and
// per-competency scores as SVG charts (each with its numbers as a table), and CSV downloads.
import { language, t } from "./i18n.js";
import { api, ApiError, goToLogin } from "./hr-api.js";
import { barsChart, columnsChart } from "./hr-charts.js";
import { $, busy, cell, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearFieldErrors, describeError, showApiFieldError } from "./hr-errors.js";
import { dateOnly, locale } from "./hr-format.js";

let ctx;
let jobId = null;      // the job shown, or null for all jobs
let data = null;       // the last answer of GET /api/analytics
let jobs = [];         // jobs the user may pick (from the server; HR's job list until then)
let requestNo = 0;     // answers to older requests are dropped
let observer = null;
let drawnWidth = 0;

export function init(context) {
  ctx = context;
  jobs = ctx.jobs;
  ctx.onJobs(() => {
    if (!data) jobs = ctx.jobs;
    renderJobSelect();
  });
  $("view-analytics").replaceChildren(skeleton());
  $("analytics-job").addEventListener("change", () => {
    const value = $("analytics-job").value;
    location.hash = value ? `analytics/${value}` : "analytics";
  });
  $("analytics-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  $("analytics-from").addEventListener("change", () => { $("analytics-to").min = $("analytics-from").value; });
  $("analytics-figures-csv").addEventListener("click", () => download("figures", $("analytics-figures-csv")));
  $("analytics-results-csv").addEventListener("click", () => download("results", $("analytics-results-csv")));
  observer = new ResizeObserver(() => {
    const width = chartWidth();
    if (data && width !== drawnWidth) drawCharts();
  });
}

export async function show(arg) {
  jobId = arg ?? null;
  renderJobSelect();
  observer.observe($("analytics-body"));
  await load();
}

export function hide() {
  observer.disconnect();
}

export function rerender() {
  renderJobSelect();
  render();
}

function skeleton() {
  const field = (id, key, input, hint) => el("div", { class: "field" },
    tx(el("label", { for: id }), key), input, hint);
  return el("div", {},
    el("div", { class: "view-head" }, tx(el("h1", { id: "analytics-title", tabindex: "-1" }), "analytics.title")),
    el("div", { class: "card" },
      el("form", { id: "analytics-form", class: "analytics-filters", novalidate: true },
        field("analytics-job", "analytics.job", el("select", { id: "analytics-job", "data-field": "job_id" })),
        field("analytics-from", "analytics.from",
          el("input", { id: "analytics-from", type: "date", "data-field": "from", "aria-describedby": "analytics-range-hint" })),
        field("analytics-to", "analytics.to",
          el("input", { id: "analytics-to", type: "date", "data-field": "to", "aria-describedby": "analytics-range-hint" })),
        el("div", { class: "filter-submit" }, tx(el("button", { type: "submit", id: "analytics-apply" }), "analytics.apply"))),
      tx(el("p", { class: "hint", id: "analytics-range-hint" }), "analytics.rangeHint"),
      el("div", { class: "analytics-downloads", role: "group", "aria-labelledby": "analytics-downloads-label" },
        tx(el("span", { id: "analytics-downloads-label", class: "downloads-label" }), "analytics.downloads"),
        tx(el("button", { type: "button", class: "secondary", id: "analytics-figures-csv" }), "analytics.downloadFigures"),
        tx(el("button", { type: "button", class: "secondary", id: "analytics-results-csv" }), "analytics.downloadResults")),
      tx(el("p", { class: "hint" }), "analytics.exportHint"),
      el("div", { id: "analytics-msg", "aria-live": "polite" })),
    el("div", { id: "analytics-body", class: "analytics-body" }));
}

function renderJobSelect() {
  const select = $("analytics-job");
  if (!select) return;
  const label = (job) => {
    const name = `${job.title} — ${job.department}`;
    return job.archived ? t("analytics.archived", { title: name }) : name;
  };
  select.replaceChildren(new Option(t("analytics.allJobs"), ""), ...jobs.map((job) => new Option(label(job), String(job.id))));
  select.value = jobId === null ? "" : String(jobId);
  if (select.value !== (jobId === null ? "" : String(jobId))) {
    // Not in the list (yet): keep it selectable until the server says whether it exists.
    select.append(new Option(`#${jobId}`, String(jobId)));
    select.value = String(jobId);
  }
}

function query({ lang = false } = {}) {
  const params = new URLSearchParams();
  if (jobId !== null) params.set("job_id", String(jobId));
  if ($("analytics-from").value) params.set("from", $("analytics-from").value);
  if ($("analytics-to").value) params.set("to", $("analytics-to").value);
  params.set("tz", String(-new Date().getTimezoneOffset()));
  if (lang) params.set("lang", language());
  return params.toString();
}

function datesInOrder() {
  const from = $("analytics-from").value;
  const to = $("analytics-to").value;
  if (!from || !to || from <= to) return true;
  showApiFieldError($("analytics-form"), { code: "invalid", field: "to", message: t("analytics.toBeforeFrom") });
  return false;
}

async function load() {
  const form = $("analytics-form");
  clearFieldErrors(form);
  if (!datesInOrder()) return;
  const mine = ++requestNo;
  const done = busy($("analytics-apply"), "common.working", { soft: true });
  $("analytics-body").setAttribute("aria-busy", "true");
  try {
    const answer = await api(`/api/analytics?${query()}`);
    if (mine !== requestNo) return;
    data = answer;
    jobs = answer.jobs ?? [];
    renderJobSelect();
    clearNotice($("analytics-msg"));
  } catch (error) {
    if (mine !== requestNo || error.code === "redirecting") return;
    data = null;
    const message = error.status === 404 && jobId !== null ? { key: "analytics.noJob" } : describeError(error);
    if (!showApiFieldError(form, error)) notice($("analytics-msg"), "error", message);
  } finally {
    done();
    if (mine === requestNo) {
      $("analytics-body").removeAttribute("aria-busy");
      render();
    }
  }
}

// The downloads go through fetch, so a failure is reported here rather than saved as a file.
async function download(kind, button) {
  if (button.getAttribute("aria-busy") === "true") return;
  const form = $("analytics-form");
  clearFieldErrors(form);
  if (!datesInOrder()) return;
  const done = busy(button, "common.working", { soft: true });
  try {
    const response = await fetch(`/api/analytics/${kind}.csv?${query({ lang: true })}`, { credentials: "same-origin" });
    if (response.status === 401) {
      goToLogin();
      return;
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      const error = body?.error ?? {};
      throw new ApiError(response.status, error.code || "http", error.message || response.statusText, error.field ?? null);
    }
    const blob = await response.blob();
    const file = fileName(response.headers.get("Content-Disposition")) ?? `intervox-${kind}.csv`;
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: file, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    notice($("analytics-msg"), "ok", { key: "analytics.downloaded", params: { file } });
  } catch (error) {
    if (error instanceof TypeError) error = new ApiError(0, "network", String(error));
    if (!showApiFieldError(form, error)) notice($("analytics-msg"), "error", describeError(error));
  } finally {
    done();
  }
}

// filename*=UTF-8''… (RFC 5987) when present, else filename="…".
export function fileName(header) {
  if (!header) return null;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      /* fall through to the plain name */
    }
  }
  return /filename="([^"]+)"/i.exec(header)?.[1] ?? null;
}

// ---------- numbers ----------

function pct(value) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(value);
}

function num(value, digits = 0) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

function minutes(seconds) {
  return seconds === null || seconds === undefined ? "—" : t("analytics.minutes", { m: num(seconds / 60, 1) });
}

function questionName(q, { short = false } = {}) {
  const own = t(short ? "analytics.questionShort" : "analytics.questionLabel", { n: q.position + 1, text: q.text });
  const several = !data.scope.job && (data.by_job?.length ?? 0) > 1;
  const job = several ? jobs.find((j) => j.id === q.job_id) : null;
  return job ? `${job.title} — ${own}` : own;
}

// ---------- rendering ----------

function scopeText() {
  const scope = data.scope;
  const parts = [scope.job ? t("analytics.scopeJob", { title: scope.job.title, department: scope.job.department })
    : t("analytics.allJobs")];
  const from = scope.from ? dateOnly(`${scope.from}T12:00:00`) : null;
  const to = scope.to ? dateOnly(`${scope.to}T12:00:00`) : null;
  if (from && to) parts.push(t("analytics.between", { from, to }));
  else if (from) parts.push(t("analytics.since", { from }));
  else if (to) parts.push(t("analytics.until", { to }));
  else parts.push(t("analytics.allDates"));
  if (scope.departments) parts.push(t("analytics.scopeDepartments", { departments: scope.departments.join(", ") }));
  return parts.join(" · ");
}

function stat(key, value, note, name) {
  return el("div", { class: "stat", dataset: { stat: name } },
    el("dt", { text: t(key) }),
    el("dd", { class: "stat-value", text: value }),
    note ? el("dd", { class: "stat-note", text: note }) : null);
}

function summary(f) {
  const funnel = Object.fromEntries(f.funnel.map((s) => [s.key, s.count]));
  const scored = f.scores.buckets.reduce((sum, b) => sum + b.count, 0);
  return el("section", { class: "card", "aria-labelledby": "analytics-summary-title" },
    el("h2", { id: "analytics-summary-title", text: t("analytics.summary") }),
    el("p", { class: "analytics-scope", id: "analytics-scope", text: scopeText() }),
    el("dl", { class: "stat-grid" },
      stat("analytics.invited", num(f.invited), f.revoked ? t("analytics.revokedNote", { n: f.revoked }) : null, "invited"),
      stat("analytics.participation", pct(f.participation_rate),
        t("analytics.participationNote", { started: f.started, invited: f.invited }), "participation"),
      stat("analytics.completed", num(f.completed), null, "completed"),
      stat("analytics.declineRate", pct(f.decline_rate),
        t("analytics.declineNote", { declined: f.declined, opened: funnel.opened ?? 0 }), "decline"),
      stat("analytics.duration", minutes(f.duration.mean_seconds),
        t("analytics.durationNote", { median: minutes(f.duration.median_seconds), n: f.duration.interviews }), "duration"),
      stat("analytics.meanScore", num(f.scores.mean, 1), t("analytics.meanScoreNote", { n: scored }), "mean-score"),
      stat("analytics.interruptionsPer", num(f.interruptions.per_interview, 2),
        t("analytics.interruptionsNote", { total: f.interruptions.total, interviews: f.interruptions.interviews }), "interruptions")));
}

// A chart card: heading, hint, the chart (drawn later at the card's width), a description for
// screen readers, and the numbers as a table behind a disclosure.
function chartCard(name, titleKey, hintKey, description, table, extra = null) {
  const id = `analytics-${name}`;
  return el("section", { class: "card chart-card", id, "aria-labelledby": `${id}-title`, dataset: { chart: name } },
    el("h2", { id: `${id}-title`, text: t(titleKey) }),
    hintKey ? el("p", { class: "hint", text: t(hintKey) }) : null,
    el("figure", { class: "chart" },
      el("div", { class: "chart-box", dataset: { chart: name } }),
      el("figcaption", { class: "visually-hidden", id: `${id}-desc`, text: description })),
    extra,
    el("details", { class: "chart-table" },
      el("summary", { text: t("analytics.showTable") }),
      el("div", { class: "table-wrap" }, table)));
}

function table(captionText, headers, rows, { numeric = [] } = {}) {
  return el("table", { class: "data-table stack" },
    el("caption", { class: "visually-hidden", text: captionText }),
    el("thead", {}, el("tr", {}, ...headers.map((key, i) =>
      el("th", { scope: "col", class: numeric.includes(i) ? "num" : null, text: t(key) })))),
    el("tbody", {}, ...rows.map((row) => el("tr", {},
      el("th", { scope: "row", text: row[0] }),
      ...row.slice(1).map((value, i) => cell(headers[i + 1], value, numeric.includes(i + 1) ? "num" : null))))));
}

function funnelCard(f) {
  const label = (s) => t(`analytics.funnel.${s.key}`);
  const steps = f.funnel.map((s, i) => (i ? `${label(s)} ${num(s.count)} (${pct(s.conversion)})` : `${label(s)} ${num(s.count)}`));
  const rows = f.funnel.map((s, i) => [label(s), num(s.count), i ? pct(s.conversion) : "—"]);
  return chartCard("funnel", "analytics.funnelTitle", "analytics.funnelHint",
    t("analytics.funnelSummary", { steps: steps.join("; ") }),
    table(t("analytics.funnelTitle"), ["analytics.col.step", "analytics.col.count", "analytics.col.conversion"], rows, { numeric: [1, 2] }));
}

function scoresCard(f) {
  const s = f.scores;
  const bands = s.buckets.map((b) => `${b.low}–${b.high}: ${b.count}`);
  bands.push(`${t("analytics.noScore")}: ${s.unscored_interviews}`);
  const rows = [...s.buckets.map((b) => [`${b.low}–${b.high}`, num(b.count)]), [t("analytics.noScore"), num(s.unscored_interviews)]];
  const note = s.answers ? el("p", { class: "analytics-note", text: t("analytics.noSpeechNote", { n: s.no_speech_answers, total: s.answers }) }) : null;
  return chartCard("scores", "analytics.scoresTitle", "analytics.scoresHint",
    t("analytics.scoresSummary", { bands: bands.join("; ") }),
    table(t("analytics.scoresTitle"), ["analytics.band", "analytics.interviewsCol"], rows, { numeric: [1] }), note);
}

function questionsCard(f) {
  const rows = f.questions.map((q) => [questionName(q), num(q.mean, 1), num(q.scored), num(q.no_speech)]);
  const items = f.questions.map((q) => `${questionName(q, { short: true })} ${q.mean === null ? t("analytics.noAnswers") : num(q.mean, 1)}`);
  return chartCard("questions", "analytics.questionsTitle", "analytics.questionsHint",
    t("analytics.questionsSummary", { items: items.join("; ") }),
    table(t("analytics.questionsTitle"), ["analytics.col.question", "analytics.col.mean", "analytics.col.scored", "analytics.col.noSpeech"],
      rows, { numeric: [1, 2, 3] }));
}

function competenciesCard(f) {
  if (!f.competencies.length) {
    return el("section", { class: "card", id: "analytics-competencies", "aria-labelledby": "analytics-competencies-title" },
      el("h2", { id: "analytics-competencies-title", text: t("analytics.competenciesTitle") }),
      el("p", { class: "empty", text: t("analytics.noCompetencies") }));
  }
  const sources = (c) => c.sources.map((s) => t(`analytics.source.${s}`)).join(", ");
  const rows = f.competencies.map((c) => [c.name, num(c.mean, 1), num(c.scored), num(c.no_speech), sources(c)]);
  const items = f.competencies.map((c) => `${c.name} ${c.mean === null ? t("analytics.noAnswers") : num(c.mean, 1)}`);
  return chartCard("competencies", "analytics.competenciesTitle", "analytics.competenciesHint",
    t("analytics.competenciesSummary", { items: items.join("; ") }),
    table(t("analytics.competenciesTitle"), ["analytics.col.competency", "analytics.col.mean", "analytics.col.scored",
      "analytics.col.noSpeech", "analytics.col.sources"], rows, { numeric: [1, 2, 3] }));
}

function byJobCard() {
  if (data.scope.job || !data.by_job?.length) return null;
  const rows = data.by_job.map((r) => [`${r.job.title} — ${r.job.department}`, num(r.invited), num(r.started), num(r.completed),
    pct(r.participation_rate), num(r.mean_score, 1)]);
  return el("section", { class: "card", id: "analytics-by-job", "aria-labelledby": "analytics-by-job-title" },
    el("h2", { id: "analytics-by-job-title", text: t("analytics.byJobTitle") }),
    el("div", { class: "table-wrap" }, table(t("analytics.byJobTitle"),
      ["analytics.col.job", "analytics.col.invited", "analytics.col.started", "analytics.col.completed",
        "analytics.col.participation", "analytics.col.mean"], rows, { numeric: [1, 2, 3, 4, 5] })));
}

function render() {
  const body = $("analytics-body");
  if (!data) {
    body.replaceChildren();
    return;
  }
  const f = data.figures;
  const open = new Set([...body.querySelectorAll("details[open]")].map((d) => d.closest("[data-chart]")?.dataset.chart));
  if (f.invited === 0 && f.revoked === 0) {
    body.replaceChildren(el("div", { class: "card" },
      el("p", { class: "analytics-scope", id: "analytics-scope", text: scopeText() }),
      el("p", { class: "empty", id: "analytics-empty", text: t("analytics.empty") })));
    return;
  }
  body.replaceChildren(...[summary(f), funnelCard(f), scoresCard(f),
    f.questions.length ? questionsCard(f) : null, competenciesCard(f), byJobCard()].filter(Boolean));
  for (const details of body.querySelectorAll("details")) {
    if (open.has(details.closest("[data-chart]")?.dataset.chart)) details.open = true;
  }
  drawCharts();
}

function chartWidth() {
  const box = $("analytics-body")?.querySelector(".chart-box");
  return box ? Math.floor(box.clientWidth) : 0;
}

// Draw (or redraw, at a new width) every chart of the current figures.
function drawCharts() {
  const width = chartWidth();
  if (!data || width <= 0) return;
  drawnWidth = width;
  const f = data.figures;
  const draw = (name, svg) => {
    const box = $("analytics-body").querySelector(`.chart-box[data-chart="${name}"]`);
    box?.replaceChildren(svg);
  };
  const described = (name) => `analytics-${name}-desc`;
  const invited = f.funnel[0]?.count ?? 0;
  draw("funnel", barsChart({
    width, max: invited, label: t("analytics.funnelTitle"), describedBy: described("funnel"),
    rows: f.funnel.map((s, i) => ({ label: t(`analytics.funnel.${s.key}`), value: s.count,
      text: i ? `${num(s.count)} · ${pct(s.conversion)}` : num(s.count) })),
  }));
  draw("scores", columnsChart({
    width, axis: t("analytics.meanScore"), label: t("analytics.scoresTitle"), describedBy: described("scores"),
    columns: [...f.scores.buckets.map((b) => ({ label: String(b.low), value: b.count, text: num(b.count) })),
      { label: t("analytics.noScoreShort"), value: f.scores.unscored_interviews, text: num(f.scores.unscored_interviews), pattern: true }],
  }));
  draw("questions", barsChart({
    width, max: 100, label: t("analytics.questionsTitle"), describedBy: described("questions"),
    rows: f.questions.map((q) => ({ label: questionName(q), value: q.mean,
      text: q.mean === null ? t("analytics.noAnswers") : num(q.mean, 1) })),
  }));
  draw("competencies", barsChart({
    width, max: 100, label: t("analytics.competenciesTitle"), describedBy: described("competencies"),
    rows: f.competencies.map((c) => ({ label: c.name, value: c.mean,
      text: c.mean === null ? t("analytics.noAnswers") : num(c.mean, 1) })),
  }));
}
