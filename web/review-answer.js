// One answer on the review page: its recording with the player, the transcript that follows it,
// the score with its explanation, and the reviewer's rating — plus, for HR, everyone's ratings.
import { el, tx, txAttr } from "./hr-dom.js";
import { duration } from "./hr-format.js";
import { reviewsList } from "./hr-reviews.js";
import { explanationBlock, scoreLine } from "./hr-score.js";
import { codeForm, focusCode } from "./review-code.js";
import { clock, playerControls } from "./review-controls.js";
import { ratingForm } from "./review-rating.js";
import { onStepUpChange, setStepUp, steppedUp } from "./review-stepup.js";
import { transcriptView } from "./review-transcript.js";
import { AnswerPlayer } from "./review-video.js";

const langTag = (code) => (code === "zh" ? "zh-CN" : "en");

const PROBLEM_KEYS = {
  purged: "review.player.purged",
  missing: "review.player.missing",
  failed: "review.player.failed",
  network: "error.network",
};

// → { element, rerender(), destroy() }
export function answerPanel({ interviewId, job, answer, drafts, onRated }) {
  const id = `a${answer.question.id}`;
  const recording = answer.recording;
  const parts = recording?.parts ?? [];
  const playable = Boolean(recording) && !recording.purged && parts.length > 0;

  const video = txAttr(el("video", { playsinline: true, preload: "metadata", class: "answer-video", id: `${id}-video` }),
    "aria-label", "review.player.videoLabel");
  const player = new AnswerPlayer(video, playable ? recording : null, answer.answered_seconds);
  const controls = playable ? playerControls(player, id) : null;
  const transcript = transcriptView({
    id: `${id}-transcript`, words: answer.words, text: answer.transcript, jobLanguage: job.language,
    onSeek: playable ? (seconds) => {
      player.seek(seconds);
      if (!player.playing) player.play();
    } : null,
  });
  const problemBox = el("div", { class: "player-problem", "aria-live": "polite" });
  const promptBox = el("div", { class: "player-stepup", hidden: true });
  const partsList = playable ? partList(player) : null;

  const media = el("div", { class: "media-col" });
  if (playable) {
    video.addEventListener("click", () => player.toggle());
    media.append(el("div", { class: "video-frame" }, video), controls.element, promptBox, problemBox, partsList.element);
  } else {
    const key = !recording || !parts.length ? "review.player.noRecording" : "review.player.purged";
    media.append(el("div", { class: "video-frame empty-frame" },
      tx(el("p", { class: "frame-text" }), key)));
  }

  const scoreBox = el("section", { class: "score-box", "aria-labelledby": `${id}-score-title` });
  const rating = ratingForm({ id: `${id}-rating`, interviewId, answer, drafts, onSaved: onRated });
  const teamBox = el("div", { class: "team-box" });
  const element = el("div", { class: "answer-panel" },
    el("div", { class: "answer-title" },
      tx(el("h2", { id: `${id}-heading`, class: "answer-heading" }), "review.tabs.question", { n: answer.question.position + 1 }),
      el("p", { class: "question-text", lang: langTag(job.language), text: answer.question.text })),
    el("div", { class: "replay" }, media, el("div", { class: "transcript-col" }, transcript.element)),
    el("div", { class: "answer-lower" },
      scoreBox,
      el("div", { class: "rating-col" }, rating, teamBox)));

  // The code prompt, when the 15 minutes are over: inline, and the player carries on after it.
  let prompt = null;
  function showPrompt({ focus }) {
    if (!prompt) {
      prompt = codeForm({ id: `${id}-stepup`, endpoint: "/api/step-up", submitKey: "review.stepup.submit",
        onSuccess: () => {
          // The step-up listener below has resumed the player; the focus goes back to it.
          hidePrompt();
          controls?.element.querySelector(".play")?.focus();
        } });
      promptBox.replaceChildren(el("div", { class: "alert warn stepup-prompt" },
        tx(el("p", { class: "stepup-text" }), "review.stepup.inline"), prompt));
    }
    promptBox.hidden = false;
    if (focus) focusCode(prompt);
  }
  function hidePrompt() {
    promptBox.hidden = true;
  }

  function showProblem() {
    const problem = player.problem;
    if (problem === "step_up") {
      problemBox.replaceChildren();
      setStepUp(null);  // the server says the 15 minutes are over, whatever this device counted
      showPrompt({ focus: true });
      return;
    }
    const key = PROBLEM_KEYS[problem];
    if (!key) {
      problemBox.replaceChildren();
      return;
    }
    const retry = problem === "failed" || problem === "network"
      ? tx(el("button", { type: "button", class: "secondary compact" }), "review.player.retry")
      : null;
    retry?.addEventListener("click", () => player.retry());
    problemBox.replaceChildren(el("div", { class: `alert ${problem === "purged" ? "warn" : "error"}` },
      tx(el("span"), key), retry ? " " : null, retry));
  }

  let lastProblem = null;
  player.on("time", () => transcript.update(player.time));
  player.on("state", () => {
    if (player.problem !== lastProblem) {
      lastProblem = player.problem;
      showProblem();
    }
  });
  player.on("part", () => partsList?.update());

  let unsubscribe = () => {};
  if (playable) {
    if (steppedUp()) player.prepare();
    else showPrompt({ focus: false });
    unsubscribe = onStepUpChange((open) => {
      if (open) {
        hidePrompt();
        if (player.problem === "step_up") player.retry();  // carries on where it stopped
        else player.prepare();
      } else {
        showPrompt({ focus: false });  // whatever is buffered plays on; the next load will need a code
      }
    });
  }

  function rerender() {
    const nodes = [tx(el("h3", { id: `${id}-score-title` }), "review.score.title"), scoreLine(answer)];
    const open = new Set([...scoreBox.querySelectorAll("details[open]")].map((d) => d.dataset.key));
    nodes.push(...explanationBlock(answer, job.language, `q${answer.question.id}`));
    nodes.push(tx(el("p", { class: "meta" }), "review.score.spoke", { spoke: duration(answer.answered_seconds) }));
    scoreBox.replaceChildren(...nodes);
    for (const details of scoreBox.querySelectorAll("details")) details.open = open.has(details.dataset.key);
    teamBox.replaceChildren(...[reviewsList(answer.reviews, `${id}-team`)].filter(Boolean));
    controls?.update();
    partsList?.update();
  }

  rerender();
  return {
    element,
    rerender,
    player,
    destroy() {
      unsubscribe();
      player.destroy();
    },
  };
}

// The parts of a recording in words, when there is more than one or one was recovered.
function partList(player) {
  const spans = player.spans;
  const list = el("ul", { class: "parts-list" });
  const element = el("div", { class: "parts" }, list);
  const worth = spans.length > 1 || spans.some((span) => span.status === "recovered_truncated");
  element.hidden = !worth;
  function update() {
    if (!worth) return;
    list.replaceChildren(...spans.map((span, i) => {
      const item = el("li", { class: "part-item" },
        tx(el("span", { class: "part-name" }), "review.player.part", { n: i + 1, total: spans.length }),
        el("span", { class: "part-span", text: `${clock(span.start)}–${clock(span.end)}` }),
        i > 0 ? tx(el("span", { class: "part-why" }), "review.player.reconnected") : null,
        span.status === "recovered_truncated" ? tx(el("span", { class: "part-why truncated" }), "review.player.truncated") : null);
      if (i === player.index) item.setAttribute("aria-current", "true");
      return item;
    }));
  }
  update();
  return { element, update };
}
