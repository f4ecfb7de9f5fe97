// The waiting room: every interview place on the server is taken, so the candidate waits in line
// (signaling/admission.py). The server sends a `queue` message when the place changes; the next
// `state` message means it is their turn, and the page goes on by itself.
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const ANNOUNCE_AFTER_MS = 400;  // after the heading, which takes focus when the screen appears

// "10 minutes", "1 minute", "45 seconds"
export function durationText(seconds) {
  if (seconds < 60) return t("duration.seconds", { n: Math.round(seconds) });
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? t("duration.minute") : t("duration.minutes", { n: minutes });
}

function estimateText(seconds) {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return minutes === 1 ? t("queue.estimateOne") : t("queue.estimate", { n: minutes });
}

// Fill the busy screen from a `queue` message. `fresh`: the screen has just appeared.
export function renderQueue(place, { fresh = false } = {}) {
  const estimate = $("queue-estimate");
  estimate.hidden = place.estimate_seconds == null;
  estimate.textContent = place.estimate_seconds == null ? "" : estimateText(place.estimate_seconds);
  $("queue-kept").textContent = t("queue.next.kept", { duration: durationText(place.place_kept_seconds) });
  document.title = t("queue.tabTitle", { n: place.position });
  const text = t("queue.position", { n: place.position });
  $("queue-position").textContent = text;
  // Screen readers hear the position from a polite live region: when it changes, not at every
  // message; on a fresh screen just after the heading (which takes focus).
  const region = $("queue-announce");
  clearTimeout(region.announceTimer);
  if (fresh) {
    region.textContent = "";
    region.announceTimer = setTimeout(() => { region.textContent = text; }, ANNOUNCE_AFTER_MS);
  } else if (region.textContent !== text) {
    region.textContent = text;
  }
}
