// One interview on the review page: who and which job, a tab per answered question (score or
// "No answer", and the reviewer's rating), and the selected answer's player (#interview/<id>/<n>).
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, clearNotice, el, messageNode, tx, txAttr } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { statusBadge, timeElement } from "./hr-format.js";
import { answerPanel } from "./review-answer.js";
import { setStepUp } from "./review-stepup.js";

let currentId = null;
let data = null;
let failed = null;
let selected = 0;             // index into data.answers
let panel = null;             // the answer panel on show
const drafts = new Map();     // unsaved ratings by question id, across switching questions

// `question` is the 1-based position from the address, or null.
export async function show(id, { focus = false, question = null } = {}) {
  if (id !== currentId) {
    hide();
    currentId = id;
    data = null;
    failed = null;
    drafts.clear();
    clearNotice($("player-msg"));
    renderLoading();
    if (focus) $("player-title").focus();
    try {
      const response = await api(`/api/review/interviews/${id}`);
      if (id !== currentId) return;
      data = response;
      setStepUp(data.step_up_expires_in);
    } catch (error) {
      if (error.code === "redirecting" || id !== currentId) return;
      failed = error.status === 404 ? { key: "review.player.notFound" } : describeError(error);
      renderLoading();
      return;
    }
  }
  if (!data) return;
  const wanted = question == null ? -1 : data.answers.findIndex((a) => a.question.position === question - 1);
  if (!panel || (wanted >= 0 && wanted !== selected)) {
    selected = wanted >= 0 ? wanted : panel ? selected : 0;
    render();
  }
  document.title = t("review.title.playerNamed", { name: data.interview.candidate_name });
  if (focus) $("player-title").focus();
}

// Leaving the view: the video stops and lets go of its source; coming back loads afresh.
export function leave() {
  hide();
  currentId = null;
  data = null;
}

function hide() {
  panel?.destroy();
  panel = null;
}

export function rerender() {
  if (!data) {
    renderLoading();
    return;
  }
  renderHeader();
  renderTabs();
  panel?.rerender();
  document.title = t("review.title.playerNamed", { name: data.interview.candidate_name });
}

function renderLoading() {
  const title = tx(el("h1", { id: "player-title", tabindex: "-1" }), failed ? "review.player.unavailable" : "review.player.loading");
  $("player-body").replaceChildren(title);
  if (failed) $("player-body").append(el("div", { class: "alert error", role: "alert" }, messageNode(failed)));
}

function render() {
  hide();
  const body = $("player-body");
  body.replaceChildren(
    el("div", { class: "card detail-head", id: "player-head" }),
    el("div", { class: "question-tabs", id: "question-tabs" }),
    el("div", { class: "card answer-card", id: "answer-tabpanel", role: "tabpanel" }));
  renderHeader();
  if (!data.answers.length) {
    $("question-tabs").hidden = true;
    $("answer-tabpanel").removeAttribute("role");
    $("answer-tabpanel").replaceChildren(tx(el("p", { class: "empty" }), "review.player.noAnswers"));
    return;
  }
  renderTabs();
  mountPanel();
}

function renderHeader() {
  const { interview, job } = data;
  const head = $("player-head");
  head.replaceChildren(
    el("div", { class: "title-row" },
      el("h1", { id: "player-title", tabindex: "-1", text: interview.candidate_name }),
      statusBadge(interview.status)),
    el("p", { class: "sub" },
      el("span", { text: `${job.title} — ${job.department}` }),
      interview.completed_at ? " · " : null,
      interview.completed_at ? tx(el("span"), "review.player.completedOn") : null,
      interview.completed_at ? " " : null,
      interview.completed_at ? timeElement(interview.completed_at) : null));
}

function tabLabel(answer) {
  const scored = answer.status === "scored" && answer.score != null;
  return [
    tx(el("span", { class: "tab-question" }), "review.tabs.question", { n: answer.question.position + 1 }),
    scored
      ? el("span", { class: "tab-score", text: `${answer.score} / 100` })
      : tx(el("span", { class: "tab-score none" }), "answer.noAnswer"),
    answer.my_review
      ? tx(el("span", { class: "tab-rated" }), "review.tabs.rated", { rating: answer.my_review.rating })
      : null,
  ];
}

function renderTabs() {
  const box = $("question-tabs");
  if (!box || !data.answers.length) return;
  const hadFocus = box.contains(document.activeElement);
  const tabs = data.answers.map((answer, i) => el("button", {
    type: "button", role: "tab", id: `tab-${answer.question.id}`, class: "question-tab",
    "aria-selected": String(i === selected), "aria-controls": "answer-tabpanel", tabindex: i === selected ? "0" : "-1",
    dataset: { index: String(i) },
  }, tabLabel(answer)));
  const list = txAttr(el("div", { role: "tablist", class: "tablist" }, tabs), "aria-label", "review.tabs.label");
  list.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(Number(tab.dataset.index), { focusTab: true });
  });
  // Arrow keys move between questions (and show them), Home and End go to the first and last.
  list.addEventListener("keydown", (event) => {
    const last = data.answers.length - 1;
    const moves = { ArrowRight: selected + 1, ArrowDown: selected + 1, ArrowLeft: selected - 1, ArrowUp: selected - 1,
      Home: 0, End: last };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = moves[event.key] < 0 ? last : moves[event.key] > last ? 0 : moves[event.key];
    select(next, { focusTab: true });
  });
  box.replaceChildren(list);
  $("answer-tabpanel").setAttribute("aria-labelledby", `tab-${data.answers[selected].question.id}`);
  if (hadFocus) $(`tab-${data.answers[selected].question.id}`)?.focus();
}

function select(index, { focusTab = false } = {}) {
  if (index === selected && panel) {
    if (focusTab) $(`tab-${data.answers[index].question.id}`)?.focus();
    return;
  }
  selected = index;
  renderTabs();
  mountPanel();
  if (focusTab) $(`tab-${data.answers[index].question.id}`)?.focus();
  // The address names the question, without adding a history entry per click.
  history.replaceState(null, "", `#interview/${currentId}/${data.answers[index].question.position + 1}`);
}

function mountPanel() {
  hide();
  const answer = data.answers[selected];
  panel = answerPanel({
    interviewId: currentId, job: data.job, answer, drafts, onRated: () => renderTabs(),
  });
  $("answer-tabpanel").replaceChildren(panel.element);
}
