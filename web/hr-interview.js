// One interview: who, which job, where it stands (with timestamps and the device check), and
// every question with its answer's score, explanation, transcript, recording and reviewers'
// ratings; its interruptions; a link to replay it, reopening it after an interruption, and
// erasing the candidate's data on request.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { $, busy, clearNotice, el, messageNode, notice, tx } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { answeredText, dateTime, duration, statusBadge, timeElement } from "./hr-format.js";
import { interruptionsSection, reopenBox } from "./hr-interruptions.js";
import { invitationBox, withdrawnBadge } from "./hr-invitation.js";
import { anomaliesSection } from "./hr-anomalies.js";
import { reviewsList } from "./hr-reviews.js";
import { explanationBlock, scoreLine } from "./hr-score.js";

const DEVICE_PROBLEMS = new Set([
  "NotAllowedError", "SecurityError", "NotFoundError", "OverconstrainedError", "NotReadableError", "AbortError",
  "NoCamera", "NoMicrophone", "Unsupported",
]);

const langTag = (code) => (code === "zh" ? "zh-CN" : "en");

let currentId = null;
let data = null;        // the last GET /api/interviews/<id> for currentId
let failed = null;      // why that request failed, when there is nothing to show
let loading = false;

export function init() {
  $("detail-refresh").addEventListener("click", () => {
    if (!loading && currentId) load(currentId).then(render);
  });
  $("erase-dialog").addEventListener("close", () => {
    if ($("erase-dialog").returnValue === "erase") erase();
  });
}

export async function show(id, { focus = false } = {}) {
  if (id !== currentId) {
    currentId = id;
    data = null;
    failed = null;
    clearNotice($("detail-msg"));
    renderLoading();
    if (focus) $("detail-title").focus();
  }
  await load(id);
  if (id !== currentId) return;  // the user went on to another interview meanwhile
  render();
  if (focus) $("detail-title")?.focus();
}

export function rerender() {
  if (data) render();
  else renderLoading();
}

async function load(id) {
  loading = true;
  const done = busy($("detail-refresh"), "common.refreshing", { soft: true });
  try {
    const response = await api(`/api/interviews/${id}`);
    if (id === currentId) {
      data = response;
      failed = null;
      clearNotice($("detail-msg"));
    }
  } catch (error) {
    if (error.code !== "redirecting" && id === currentId) {
      const message = error.status === 404 ? { key: "detail.notFound" } : describeError(error);
      if (data === null) failed = message;
      else notice($("detail-msg"), "error", message);
    }
  } finally {
    loading = false;
    done();
  }
}

function renderLoading() {
  const title = tx(el("h1", { id: "detail-title", tabindex: "-1" }), failed ? "detail.unavailable" : "detail.loading");
  $("detail-body").replaceChildren(title);
  if (failed) $("detail-body").append(el("div", { class: "alert error", role: "alert" }, messageNode(failed)));
}

function fact(labelKey, ...value) {
  return el("div", { class: "fact" }, tx(el("dt"), labelKey), el("dd", {}, ...value));
}

function deviceCheck(check) {
  if (!check) return [tx(el("span", { class: "none" }), "device.notDone")];
  const parts = [
    tx(el("span", { class: check.camera ? "ok" : "bad" }), check.camera ? "device.cameraOk" : "device.cameraBad"),
    tx(el("span", { class: check.microphone ? "ok" : "bad" }), check.microphone ? "device.micOk" : "device.micBad"),
  ];
  if (check.problem) {
    const known = DEVICE_PROBLEMS.has(check.problem);
    parts.push(known ? tx(el("span"), `device.problem.${check.problem}`) : el("span", { text: check.problem }));
  }
  if (check.at) parts.push(el("span", { class: "sub" }, timeElement(check.at)));
  return [el("span", { class: "device" }, parts)];
}

function meanScore(answers) {
  const scored = answers.filter((a) => a.status === "scored" && a.score != null);
  if (!scored.length) return null;
  return scored.reduce((sum, a) => sum + a.score, 0) / scored.length;
}

function replayUrl(interviewId, position = null) {
  return `/review#interview/${interviewId}${position === null ? "" : `/${position + 1}`}`;
}

// Replaying (when there is a recording to replay) and erasing (until it is done).
function headActions(iv, answers) {
  if (iv.data_deleted_at) return null;
  const replayable = answers.some((a) => a.recording && !a.recording.purged && a.recording.parts > 0);
  const erase = tx(el("button", { type: "button", class: "danger compact", id: "detail-erase" }), "erase.button");
  erase.addEventListener("click", openErase);
  return el("div", { class: "head-actions" },
    replayable ? tx(el("a", { class: "button secondary compact", href: replayUrl(iv.id) }), "detail.replayAll") : null,
    erase);
}

function header({ interview: iv, job, answers }) {
  const mean = meanScore(answers);
  const decided = iv.declined_at
    ? fact("detail.declined", timeElement(iv.declined_at))
    : fact("detail.consented", timeElement(iv.consented_at));
  return el("div", { class: "card detail-head" },
    el("div", { class: "title-row" },
      el("h1", { id: "detail-title", tabindex: "-1", text: iv.candidate_name }),
      withdrawnBadge(iv) ?? statusBadge(iv.status)),
    el("p", { class: "sub" },
      el("span", { text: iv.candidate_email }), " · ",
      el("span", { text: `${job.title} — ${job.department}` })),
    el("dl", { class: "facts" },
      fact("detail.invited", timeElement(iv.created_at)),
      fact("detail.opened", timeElement(iv.opened_at)),
      decided,
      fact("detail.started", timeElement(iv.started_at)),
      fact("detail.completed", timeElement(iv.completed_at)),
      iv.interrupted_at ? fact("detail.interrupted", timeElement(iv.interrupted_at)) : null,
      fact("detail.device", ...deviceCheck(iv.device_check)),
      fact("detail.answered", answeredText(answers.length, job.questions.length)),
      fact("detail.meanScore", mean == null ? "—" : `${mean.toFixed(1)} / 100`)),
    iv.data_deleted_at
      ? el("p", { class: "alert warn erased" }, tx(el("span"), "detail.erased", { at: dateTime(iv.data_deleted_at) }))
      : null,
    reopenBox(iv, reopen),
    invitationBox(iv, { onChange: invitationChanged }),
    headActions(iv, answers));
}

function recordingLine(answer, interview, question) {
  const recording = answer.recording;
  if (!recording || !recording.parts) return tx(el("p", { class: "recording-line none" }), "detail.noRecording");
  if (recording.purged) return tx(el("p", { class: "recording-line none" }), "detail.recordingPurged");
  return el("p", { class: "recording-line" },
    tx(el("span"), recording.parts > 1 ? "detail.recordingParts" : "detail.recording",
      { length: duration(recording.seconds), parts: recording.parts }),
    el("a", { class: "button secondary compact", href: replayUrl(interview.id, question.position) },
      tx(el("span"), "detail.replay"),
      tx(el("span", { class: "visually-hidden" }), "detail.replayWhich", { n: question.position + 1 })));
}

function answerCard(question, index, total, answer, interview, jobLanguage) {
  const card = el("li", { class: "card answer" },
    tx(el("h3"), "answer.heading", { n: index + 1, total }),
    el("p", { class: "question-text", lang: langTag(jobLanguage), text: question.text }));
  if (!answer) {
    const over = ["completed", "declined", "expired"].includes(interview.status);
    const key = interview.data_deleted_at ? "answer.erased" : over ? "answer.missing" : "answer.pending";
    card.append(tx(el("p", { class: "pending" }), key));
    return card;
  }
  if (answer.cut_short) {
    card.append(el("p", { class: "cut-short" },
      tx(el("strong"), "answer.cutShort"), " ", tx(el("span"), "answer.cutShortText")));
  }
  card.append(scoreLine(answer), ...explanationBlock(answer, jobLanguage, `q${question.id}`));
  card.append(tx(el("p", { class: "meta" }), "answer.meta", {
    spoke: duration(answer.answered_seconds), allowed: duration(question.answer_seconds),
    at: dateTime(answer.finalized_at),
  }));
  card.append(recordingLine(answer, interview, question));
  card.append(tx(el("h4"), "answer.transcript"));
  const transcript = (answer.transcript ?? "").trim();
  card.append(transcript
    ? el("p", { class: "transcript", lang: langTag(jobLanguage), text: transcript })
    : tx(el("p", { class: "hint" }), "answer.noTranscript"));
  const reviews = reviewsList(answer.reviews, `q${question.id}-reviews`);
  card.append(reviews ?? tx(el("p", { class: "hint no-reviews" }), "detail.noReviews"));
  return card;
}

function answersSection({ interview, job, answers }) {
  const section = el("section", { class: "answers", "aria-labelledby": "answers-title" },
    tx(el("h2", { id: "answers-title" }), "detail.answers"));
  if (interview.status === "declined" && !answers.length) {
    section.append(tx(el("p", { class: "card" }), "detail.declinedText"));
    return section;
  }
  const byQuestion = new Map(answers.map((a) => [a.question.id, a]));
  const questions = [...job.questions].sort((a, b) => a.position - b.position);
  section.append(el("ol", { class: "answer-list" },
    questions.map((q, i) => answerCard(q, i, questions.length, byQuestion.get(q.id), interview, job.language))));
  return section;
}

function render() {
  if (!data) return renderLoading();
  // Keep the explanations the reader opened open across a refresh or a language switch.
  const body = $("detail-body");
  const open = new Set([...body.querySelectorAll("details[open]")].map((d) => d.dataset.key));
  body.replaceChildren(...[header(data), interruptionsSection(data), anomaliesSection(data.interview.id), answersSection(data)].filter(Boolean));
  for (const details of body.querySelectorAll("details")) details.open = open.has(details.dataset.key);
  document.title = t("title.detailNamed", { name: data.interview.candidate_name });
  return undefined;
}

function openErase() {
  tx($("erase-text"), "erase.text", { name: data.interview.candidate_name });
  $("erase-dialog").returnValue = "";
  $("erase-dialog").showModal();
}

// The candidate asked for deletion: recordings, transcripts, scores and ratings go.
async function erase() {
  const id = currentId;
  const button = $("detail-erase");
  const done = button ? busy(button, "erase.working") : () => {};
  let result;
  try {
    result = await api(`/api/interviews/${id}/erase`, { method: "POST" });
  } catch (error) {
    done();
    if (error.code !== "redirecting") notice($("detail-msg"), "error", describeError(error)).focus();
    return;
  }
  done();
  await load(id);
  if (id !== currentId) return;
  render();
  notice($("detail-msg"), "ok", {
    key: "erase.done", params: { recordings: result.recordings_purged, answers: result.answers_deleted },
  }).focus();
}

// The invitation was withdrawn, resent or given a new expiry: show it, then say how it went.
function invitationChanged(interview, after) {
  if (!data || interview.id !== currentId) return;
  data = { ...data, interview };
  render();
  const box = $("detail-body").querySelector(".invitation-box");
  if (box && after) after(box.statusNode, box.linkNode);
}

// The candidate lost the connection and did not come back in time: let their link work again.
async function reopen() {
  const id = currentId;
  const done = busy($("detail-reopen"), "reopen.working");
  let result;
  try {
    result = await api(`/api/interviews/${id}/reopen`, { method: "POST" });
  } catch (error) {
    done();
    if (error.code === "redirecting") return;
    if (error.code !== "not_interrupted") {
      notice($("detail-msg"), "error", describeError(error)).focus();
      return;
    }
    await load(id);  // someone else reopened it (or it changed otherwise): show where it stands now
    if (id !== currentId) return;
    render();
    notice($("detail-msg"), "error", { key: "reopen.notInterrupted" }).focus();
    return;
  }
  done();
  if (id !== currentId || !data) return;
  data = { ...data, interview: result.interview };
  render();
  notice($("detail-msg"), "ok", { key: "reopen.done" }).focus();
}
