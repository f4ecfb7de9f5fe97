// How long recordings stay open: the step-up's time left, counted down on this device from what
// the server last said, shown under the top bar. Listeners hear when it starts and when it lapses.
import { $, tx } from "./hr-dom.js";

const WARN_SECONDS = 120;
const TICK_MS = 5000;

let expiresAt = null;   // Date.now() when recordings lock again; null when they are locked
let timer = null;
let warned = false;
const listeners = new Set();

export function steppedUp() {
  return expiresAt !== null && Date.now() < expiresAt;
}

export function secondsLeft() {
  return steppedUp() ? Math.max(0, (expiresAt - Date.now()) / 1000) : 0;
}

// `seconds` from the server (step_up_expires_in / expires_in); null means not stepped up.
export function setStepUp(seconds) {
  const was = steppedUp();
  expiresAt = seconds == null || !(seconds > 0) ? null : Date.now() + seconds * 1000;
  warned = steppedUp() && seconds <= WARN_SECONDS;
  clearInterval(timer);
  timer = steppedUp() ? setInterval(tick, TICK_MS) : null;
  render();
  if (was !== steppedUp()) notify();
}

export function onStepUpChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify() {
  for (const listener of listeners) listener(steppedUp());
}

function tick() {
  if (!steppedUp()) {
    clearInterval(timer);
    timer = null;
    expiresAt = null;
    render();
    tx($("step-up-announce"), "review.stepup.lapsed");
    notify();
    return;
  }
  if (!warned && secondsLeft() <= WARN_SECONDS) {
    warned = true;
    tx($("step-up-announce"), "review.stepup.soon", { minutes: Math.ceil(secondsLeft() / 60) });
  }
  render();
}

// The line under the top bar (not a live region: only the warnings above are announced).
export function render() {
  const bar = $("step-up-bar");
  const line = $("step-up-left");
  bar.hidden = false;
  bar.classList.toggle("locked", !steppedUp());
  if (!steppedUp()) tx(line, "review.stepup.locked");
  else if (secondsLeft() < 60) tx(line, "review.stepup.leftUnderMinute");
  else tx(line, "review.stepup.left", { minutes: Math.floor(secondsLeft() / 60) });
}

export function hideBar() {
  $("step-up-bar").hidden = true;
}
