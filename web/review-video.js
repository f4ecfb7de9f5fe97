// Playing one answer's recording on one <video>, over the answer's timeline: the parts play in
// order (when one ends the next loads), and a seek in answer time loads the part that covers it.
// A part streamed live has no duration in its header (video.duration is Infinity), so the
// timeline comes from the parts' offsets and durations sent by the server.
//
// When the video cannot load a part, one byte of it is asked for to learn why: 403
// step_up_required (the 15 minutes are over), 410 purged, or something else.
import { goToLogin } from "./hr-api.js";
import { locate, partSpans, timelineLength } from "./review-timeline.js";

export const SPEEDS = [0.75, 1, 1.25, 1.5, 2];

// Events (listen with player.on(type, fn)):
//   "time"    — the answer time moved (while playing: every animation frame)
//   "state"   — playing / paused / loading / ended changed, or a problem appeared or went away
//   "part"    — another part was loaded: player.index
//   "length"  — the timeline's length changed (a part without a known duration got one)
export class AnswerPlayer {
  constructor(video, recording, answerSeconds) {
    this.video = video;
    this.spans = partSpans(recording?.parts ?? [], answerSeconds);
    this.total = timelineLength(this.spans);
    this.index = -1;          // the part loaded in the video element
    this.pending = null;      // { offset } to seek to once the loaded part's metadata is in
    this.heldTime = 0;        // the answer time while no part is loaded or one is loading
    this.wantsToPlay = false; // the user pressed play and has not paused since
    this.problem = null;      // null | "step_up" | "purged" | "missing" | "failed" | "network"
    this.rate = 1;
    this.frame = 0;
    this.listeners = new Map();
    this.detach = this.listen();
  }

  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
  }

  emit(type) {
    for (const listener of this.listeners.get(type) ?? []) listener(this);
  }

  get time() {
    if (this.index < 0 || this.pending || this.problem) return this.heldTime;
    return this.spans[this.index].start + (this.video.currentTime || 0);
  }

  get playing() {
    return this.wantsToPlay && !this.problem;
  }

  get loading() {
    return this.pending !== null || (this.wantsToPlay && this.video.readyState < 3 && !this.video.paused);
  }

  get ended() {
    return this.index === this.spans.length - 1 && this.video.ended;
  }

  get hasMedia() {
    return this.spans.length > 0;
  }

  // Load the first part (no playing yet) so its first frame shows.
  prepare() {
    if (this.hasMedia && this.index < 0) this.load(0, 0);
  }

  play() {
    if (!this.hasMedia) return;
    this.wantsToPlay = true;
    if (this.problem) {
      this.retry();
      return;
    }
    if (this.index < 0) {
      this.seek(this.heldTime);
      return;
    }
    if (this.ended || this.time >= this.total - 0.05) {
      this.seek(0);
      return;
    }
    if (!this.pending) this.startVideo();
    this.emit("state");
  }

  pause() {
    this.wantsToPlay = false;
    this.video.pause();
    this.emit("state");
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  // Seek to answer time `t` (seconds); keeps playing if it was.
  seek(t) {
    if (!this.hasMedia) return;
    const time = Math.max(0, Math.min(this.total, t));
    const where = locate(this.spans, time);
    this.heldTime = time;
    if (this.problem) {
      this.emit("time");
      return;  // applied by retry(), once the problem is solved
    }
    if (where.index === this.index && !this.pending && this.video.readyState >= 1) {
      this.video.currentTime = where.offset;
      if (this.wantsToPlay && this.video.paused) this.startVideo();
    } else {
      this.load(where.index, where.offset);
    }
    this.emit("time");
    this.emit("state");
  }

  skip(seconds) {
    this.seek(this.time + seconds);
  }

  setRate(rate) {
    this.rate = rate;
    this.video.defaultPlaybackRate = rate;
    this.video.playbackRate = rate;
  }

  // Load again where we were (after a step-up, or a network failure).
  retry() {
    const where = locate(this.spans, this.heldTime);
    this.problem = null;
    if (where) this.load(where.index, where.offset);
    this.emit("state");
  }

  // Stop and let go of the media (the view is going away).
  destroy() {
    cancelAnimationFrame(this.frame);
    this.detach();
    this.video.pause();
    this.video.removeAttribute("src");
    this.video.load();
    this.listeners.clear();
  }

  // internals

  // Load part `index` and start at `offset` seconds into it; it plays if the user wants it to.
  load(index, offset) {
    const span = this.spans[index];
    if (index !== this.index) {
      this.index = index;
      this.emit("part");
    }
    this.heldTime = span.start + offset;
    this.pending = { offset };
    this.video.src = span.url;
    this.setRate(this.rate);  // a new source resets the rate to the default one
    this.emit("state");
  }

  startVideo() {
    const started = this.video.play();
    started?.catch((error) => {
      // Autoplay refused or the load was replaced by another one: show "Play" again.
      if (error?.name === "NotAllowedError") {
        this.wantsToPlay = false;
        this.emit("state");
      }
    });
  }

  listen() {
    const video = this.video;
    const handlers = {
      loadedmetadata: () => {
        const pending = this.pending;
        if (!pending) return;
        this.pending = null;
        if (pending.offset > 0.05) video.currentTime = pending.offset;
        if (this.wantsToPlay) this.startVideo();
        this.emit("time");
        this.emit("state");
      },
      durationchange: () => this.measure(),
      timeupdate: () => this.emit("time"),
      seeked: () => this.emit("time"),
      play: () => {
        this.tick();
        this.emit("state");
      },
      playing: () => this.emit("state"),
      waiting: () => this.emit("state"),
      pause: () => this.emit("state"),
      ended: () => this.partEnded(),
      error: () => this.failed(),
    };
    for (const [type, handler] of Object.entries(handlers)) video.addEventListener(type, handler);
    return () => {
      for (const [type, handler] of Object.entries(handlers)) video.removeEventListener(type, handler);
    };
  }

  // While playing, report the time every frame (timeupdate alone comes only ~4 times a second).
  tick() {
    cancelAnimationFrame(this.frame);
    const step = () => {
      if (this.video.paused) return;
      this.emit("time");
      this.frame = requestAnimationFrame(step);
    };
    this.frame = requestAnimationFrame(step);
  }

  // A part whose duration the server did not know gets it from the media once it is known.
  measure() {
    const span = this.spans[this.index];
    const duration = this.video.duration;
    if (!span || span.measured || !Number.isFinite(duration) || duration <= 0) return;
    span.end = span.start + duration;
    span.measured = true;
    this.total = timelineLength(this.spans);
    this.emit("length");
  }

  partEnded() {
    this.measure();
    if (this.index + 1 < this.spans.length) {
      this.load(this.index + 1, 0);
      return;
    }
    this.heldTime = this.total;
    this.wantsToPlay = false;
    this.emit("time");
    this.emit("state");
  }

  async failed() {
    if (!this.video.error || this.index < 0) return;
    const index = this.index;
    const span = this.spans[index];
    const time = this.pending ? this.heldTime : span.start + (this.video.currentTime || 0);
    this.heldTime = Number.isFinite(time) ? time : span.start;
    this.pending = null;
    const reason = await diagnose(span.url);
    if (index !== this.index) return;  // another part was loaded meanwhile
    if (reason === "redirecting") return;
    if (reason === "readable") {
      // The bytes are there but do not decode to the end: a part recovered after a crash.
      // Go on with the next part, or end here.
      if (span.status === "recovered_truncated") {
        this.partEnded();
        return;
      }
      this.problem = "failed";
    } else {
      this.problem = reason;
    }
    this.video.pause();
    this.emit("state");
  }
}

// Why a part does not load: ask for its first byte and read the server's answer.
export async function diagnose(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Range: "bytes=0-0" }, credentials: "same-origin", cache: "no-store" });
  } catch {
    return "network";
  }
  let code = null;
  if (response.ok) {
    await response.body?.cancel();
    return "readable";
  }
  try {
    code = (await response.json())?.error?.code ?? null;
  } catch {
    code = null;
  }
  if (response.status === 401) {
    goToLogin();
    return "redirecting";
  }
  if (response.status === 403 && code === "step_up_required") return "step_up";
  if (response.status === 410) return "purged";
  if (response.status === 404) return "missing";
  return "failed";
}
