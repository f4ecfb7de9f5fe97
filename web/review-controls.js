// The player's own controls (the <video> has none): play/pause, −10 s / +10 s, speed, the time
// and a seek slider over the answer's timeline, with a strip that shows where each part lies.
import { t } from "./i18n.js";
import { el, tx, txAttr } from "./hr-dom.js";
import { duration } from "./hr-format.js";
import { SPEEDS } from "./review-video.js";

const SKIP = 10;
const ARROW_STEP = 5;

// A clock that does not run ahead: 29.6 s is still "0:29".
export function clock(seconds) {
  return duration(Math.floor(Math.max(0, seconds || 0)));
}

function speedLabel(rate) {
  return `${rate}×`;
}

// `id` keeps the ids of one player apart from another's; returns { element, update }.
export function playerControls(player, id) {
  const icon = el("span", { class: "icon", "aria-hidden": "true" });
  const playLabel = el("span", { class: "label" });
  const playButton = el("button", { type: "button", class: "play", id: `${id}-play` }, icon, playLabel);
  const back = txAttr(
    el("button", { type: "button", class: "secondary skip", id: `${id}-back` }, el("span", { "aria-hidden": "true", text: "−10 s" })),
    "aria-label", "review.player.back10");
  const forward = txAttr(
    el("button", { type: "button", class: "secondary skip", id: `${id}-forward` }, el("span", { "aria-hidden": "true", text: "+10 s" })),
    "aria-label", "review.player.forward10");
  const speed = el("select", { id: `${id}-speed`, class: "speed" },
    SPEEDS.map((rate) => new Option(speedLabel(rate), String(rate), false, rate === player.rate)));
  const slider = txAttr(
    el("input", { type: "range", class: "seek", id: `${id}-seek`, min: 0, max: player.total.toFixed(2), step: "0.1", value: 0 }),
    "aria-label", "review.player.position");
  const now = el("span", { class: "now", text: clock(0) });
  const total = el("span", { class: "total", text: clock(player.total) });
  let strip = partStrip(player);

  const element = el("div", { class: "player-controls", role: "group", id: `${id}-controls` },
    el("div", { class: "seek-row" },
      el("div", { class: "seek-track" }, slider, strip),
      el("p", { class: "time", "aria-hidden": "true" }, now, " / ", total)),
    el("div", { class: "button-row" },
      playButton, back, forward,
      el("div", { class: "speed-field" }, tx(el("label", { for: speed.id }), "review.player.speed"), speed)));
  txAttr(element, "aria-label", "review.player.controls");

  let dragging = false;
  playButton.addEventListener("click", () => player.toggle());
  back.addEventListener("click", () => player.skip(-SKIP));
  forward.addEventListener("click", () => player.skip(SKIP));
  speed.addEventListener("change", () => player.setRate(Number(speed.value)));
  slider.addEventListener("pointerdown", () => {
    dragging = true;
  });
  slider.addEventListener("pointerup", () => {
    dragging = false;
  });
  slider.addEventListener("input", () => player.seek(Number(slider.value)));
  // Arrow keys move by 5 s and Page keys by 10 s (the slider's 0.1 s step is for dragging).
  slider.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: -ARROW_STEP, ArrowDown: -ARROW_STEP, ArrowRight: ARROW_STEP, ArrowUp: ARROW_STEP,
      PageDown: -SKIP, PageUp: SKIP };
    if (event.key in moves) player.skip(moves[event.key]);
    else if (event.key === "Home") player.seek(0);
    else if (event.key === "End") player.seek(player.total);
    else return;
    event.preventDefault();
  });

  function updateTime() {
    const time = Math.min(player.time, player.total);
    if (!dragging) slider.value = String(time);
    slider.setAttribute("aria-valuetext", t("review.player.timeOf", { time: clock(time), total: clock(player.total) }));
    now.textContent = clock(time);
  }

  function updateState() {
    const playing = player.playing;
    icon.textContent = playing ? "❚❚" : "▶";
    tx(playLabel, playing ? "review.player.pause" : player.ended ? "review.player.replay" : "review.player.play");
    const off = !player.hasMedia || player.problem === "purged" || player.problem === "missing";
    for (const control of [playButton, back, forward, speed, slider]) control.disabled = off;
    element.classList.toggle("is-loading", player.loading && playing);
  }

  function updateLength() {
    slider.max = player.total.toFixed(2);
    total.textContent = clock(player.total);
    const fresh = partStrip(player);
    strip.replaceWith(fresh);
    strip = fresh;
    updateTime();
  }

  player.on("time", updateTime);
  player.on("state", updateState);
  player.on("length", updateLength);
  updateTime();
  updateState();
  return { element, update: () => { updateTime(); updateState(); } };
}

// Where the parts lie on the timeline (decorative: the parts list under the video says it in words).
function partStrip(player) {
  const strip = el("div", { class: "part-strip", "aria-hidden": "true" });
  if (player.spans.length < 2 && !player.spans.some((span) => span.status === "recovered_truncated")) return strip;
  for (const span of player.spans) {
    const piece = el("span", { class: `part-piece ${span.status === "recovered_truncated" ? "truncated" : ""}`.trim() });
    piece.style.left = `${(span.start / (player.total || 1)) * 100}%`;
    piece.style.width = `${((span.end - span.start) / (player.total || 1)) * 100}%`;
    strip.append(piece);
  }
  return strip;
}
