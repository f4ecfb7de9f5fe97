// The candidate's page. The server owns the interview's state; this page renders each `state`
// message it receives, captures camera and microphone, and sends them over WebRTC.
import { Connection } from "./candidate-connection.js";
import { durationText, renderQueue } from "./candidate-queue.js";
import { language, languagePicker, preferredLanguage, setLanguage, t } from "./i18n.js";

const PAGE = "candidate";
// A peer connection "disconnected" this long (no media getting through) is replaced.
const MEDIA_STALL_MS = 4000;
const $ = (id) => document.getElementById(id);

const app = {
  token: decodeURIComponent(location.hash.slice(1)),
  conn: null,             // the WebSocket, kept alive across drops (candidate-connection.js)
  connected: false,       // a state message arrived on the current connection
  state: null,
  queue: null,            // our place in line while every interview place is taken (candidate-queue.js)
  jobSeen: false,
  stream: null,
  pc: null,
  mediaReady: false,
  heardSomething: false,
  deviceCheck: "idle",    // idle → running → ok | failed; only the Try again button restarts a failed check
  meterStop: null,
  deadline: null,         // performance.now() at which the current phase ends
  phaseSeconds: 0,
  practiceHeard: null,
  lastScreen: null,
  languageChosen: localStorage.getItem("intervox.lang") !== null,
};

// ---------- screens ----------

const SCREENS = ["loading", "error", "queue", "consent", "declined", "device", "question", "ready", "done", "stopped"];

function show(name) {
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  if (app.lastScreen !== name) {
    app.lastScreen = name;
    $(`screen-${name}`).querySelector("h1")?.focus();
  }
}

function fail(messageKey, params) {
  app.conn?.finish();
  banner(null);
  $("error-text").textContent = t(messageKey, params);
  show("error");
  stopMedia();
}

// The connection banner: what is happening (announced), what it means, and a way to try now.
function banner(titleKey, detail = "", { retry = false } = {}) {
  $("connection-banner").hidden = !titleKey;
  $("banner-title").textContent = titleKey ? t(titleKey) : "";
  $("banner-detail").textContent = detail;
  $("banner-retry").hidden = !retry;
}

// ---------- the WebSocket ----------

function send(type, fields = {}) {
  app.conn?.send(type, fields);
}

function connect() {
  if (!app.token) return fail("error.noToken");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  app.conn = new Connection(`${scheme}://${location.host}/ws`, app.token, {
    onMessage,
    onLost: connectionLost,
    onRetrying: showRetrying,
    onFatal: (key) => fail(key),
    pingFields: () => (app.rttMs == null ? {} : { rtt_ms: app.rttMs }),
  });
  app.conn.open();
}

// The server keeps our place (the answer clock stops there too); here we stop the clock, drop
// the peer connection (a resume is a new one) and keep the camera and microphone open.
function connectionLost() {
  app.connected = false;
  document.body.dataset.connection = "reconnecting";
  closePeer();
  app.deadline = null;  // the clock shown stays where it stopped
  updateQuestionControls();
}

function showRetrying(retry) {
  app.retry = retry;
  const { inMs } = retry;
  const s = app.state;
  const parts = [];
  if (!navigator.onLine) parts.push(t("banner.offline"));
  if (app.queue) parts.push(t("banner.lineKept", { duration: durationText(app.queue.place_kept_seconds) }));
  else if (s?.phase === "answering") parts.push(t("banner.answerPaused"));
  else if (s) parts.push(t("banner.placeKept"));
  if (s?.resume_grace_seconds && !app.queue) parts.push(t("banner.keptFor", { duration: graceText() }));
  parts.push(inMs >= 1000 ? t("banner.retryIn", { seconds: Math.round(inMs / 1000) }) : t("banner.retrying"));
  banner("banner.reconnecting", parts.join(language() === "zh" ? "" : " "), { retry: inMs >= 1000 });
}

function onMessage(msg) {
  switch (msg.type) {
    case "state": return onState(msg);
    case "queue": return onQueue(msg);
    case "webrtc.answer":
      return app.pc?.setRemoteDescription({ type: "answer", sdp: msg.sdp }).catch(() => app.conn.drop());
    case "media":
      app.mediaReady = Boolean(msg.audio);
      document.body.dataset.audio = app.mediaReady ? "flowing" : "waiting";  // read by tests
      return updateQuestionControls();
    case "caption": return onCaption(msg);
    case "error": return onError(msg);
    default: return undefined;
  }
}

function onError(msg) {
  if (msg.code === "media_not_ready") {
    $("phase-label").textContent = t("question.connectingAudio");
  } else if (msg.code === "revoked") {
    withdrawn();  // HR withdrew the invitation (the server closes the connection next)
  } else if (msg.code === "unauthorized") {
    fail("error.badLink");
  } else if (msg.code === "taken_over") {
    fail("error.takenOver");  // and no reconnecting: the other window has the interview now
  } else {
    console.warn("server refused a message:", msg.code, msg.message);
  }
}

function onCaption(msg) {
  if (msg.final && msg.question === -1) {
    app.practiceHeard = msg.text;
    renderPracticeHeard();
    return;
  }
  const s = app.state;
  if (s?.question && msg.question === s.question.index && s.phase === "answering") $("caption").textContent = msg.text;
}

// ---------- rendering the server's state ----------

// A state message: the server's word on where the interview is, and proof the connection works.
async function onState(state) {
  if (app.queue) {  // our turn: the place in line is over
    app.queue = null;
    delete document.body.dataset.queue;
    document.title = t("page.title");
  }
  app.state = state;
  app.connected = true;
  app.deadline = state.remaining_ms == null ? null : performance.now() + state.remaining_ms;
  document.body.dataset.connection = "connected";
  banner(null);
  if (["done", "declined", "interrupted", "expired"].includes(state.step)) app.conn.finish();
  await firstContact(state.job);
  render();
}

// Every interview place is taken: we wait in line, camera off, and the next `state` is our turn.
async function onQueue(msg) {
  const fresh = app.queue === null;
  app.queue = msg;
  app.connected = true;
  document.body.dataset.connection = "connected";
  document.body.dataset.queue = String(msg.position);  // read by tests
  banner(null);
  if (app.stream) {
    stopMedia();
    app.deviceCheck = "idle";  // checked again when it is our turn
  }
  if (msg.job) await firstContact(msg.job);
  showQueue({ fresh });
}

function showQueue({ fresh = false } = {}) {
  $("job-title").textContent = app.queue.job?.title ?? "";
  renderQueue(app.queue, { fresh });
  show("queue");
}

// The first message naming the job: the page speaks the job's language unless the candidate chose one.
async function firstContact(job) {
  if (app.jobSeen) return;
  app.jobSeen = true;
  if (!app.languageChosen && job.language !== "en") {
    await setLanguage(PAGE, job.language, { remember: false });
    $("lang").value = job.language;
  }
}

// Draw the current state (again after a language change: nothing here touches the connection).
function render() {
  if (app.withdrawn) return withdrawn();
  if (app.queue) return showQueue();
  const state = app.state;
  $("job-title").textContent = state.job.title;
  switch (state.step) {
    case "consent": return renderConsent();
    case "declined": stopMedia(); return show("declined");
    case "device_check":
      show("device");
      return app.deviceCheck === "idle" ? startDevices() : undefined;
    case "practice":
    case "question": return renderQuestion();
    case "ready": renderReady(); return show("ready");
    case "done": stopMedia(); return show("done");
    case "interrupted":
    case "expired": return renderStopped(state.step);
    default: return undefined;
  }
}

function renderConsent() {
  const s = app.state;
  $("consent-greeting").textContent = t("consent.greeting", { name: s.candidate.name, job: s.job.title });
  const kept = s.privacy.kept;
  const items = kept.map((what) => t(`consent.what.${what}`));
  if (!kept.includes("recording")) items.unshift(t("consent.what.live"));
  $("consent-kept").replaceChildren(...items.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
  $("consent-retention").textContent = t("consent.keep.text", { days: s.privacy.retention_days });
  $("consent-deletion").textContent = s.privacy.contact
    ? t("consent.delete.textContact", { contact: s.privacy.contact })
    : t("consent.delete.text");
  show("consent");
}

async function renderQuestion() {
  const s = app.state;
  const q = s.question;
  if (!q) return;
  if (!app.stream) await startDevices({ quiet: true });
  if (!app.pc && app.stream) negotiate();
  $("self-view").srcObject = app.stream;
  const key = `${q.index}:${s.phase}`;
  if ($("screen-question").dataset.key !== key) {
    $("screen-question").dataset.key = key;
    $("caption").textContent = "";  // a new question or phase: what was heard before is not this answer
  }
  const practice = q.index === -1;
  $("question-label").textContent = practice ? t("question.practiceLabel") : t("question.label", { n: q.index + 1, total: s.question_count });
  $("question-text").textContent = practice ? t("practice.text") : q.text;
  app.phaseSeconds = s.phase === "answering" ? q.answer_seconds : q.think_seconds;
  show("question");
  if (app.lastQuestionKey !== q.index) {
    app.lastQuestionKey = q.index;
    $("question-text").focus();
  }
  updateQuestionControls();
  tick();
}

function updateQuestionControls() {
  const s = app.state;
  if (!s || !s.question) return;
  const answering = s.phase === "answering";
  $("start-answer").hidden = answering;
  $("start-answer").disabled = !app.mediaReady || !app.connected;
  $("finish-answer").hidden = !answering;
  $("finish-answer").disabled = !app.connected;
  const label = $("phase-label");
  label.classList.toggle("recording", answering && app.connected);
  $("progress-fill").classList.toggle("recording", answering);
  if (!app.connected) label.textContent = t("question.paused");
  else if (answering) label.textContent = t("question.recording");
  else label.textContent = app.mediaReady ? t("question.thinking") : t("question.connectingAudio");
}

// How long the server waits for a candidate who dropped, in words ("10 minutes").
function graceText() {
  const seconds = app.state?.resume_grace_seconds || 600;
  return seconds >= 120 ? t("duration.minutes", { n: Math.round(seconds / 60) }) : t("duration.seconds", { n: Math.round(seconds) });
}

// The invitation was withdrawn: no reconnecting, no camera, and a page that says so (also after
// a language switch, when there may be no state to draw).
function withdrawn() {
  app.withdrawn = true;
  app.conn?.finish();
  banner(null);
  stopMedia();
  $("stopped-title").textContent = t("withdrawn.title");
  $("stopped-text").textContent = t("withdrawn.text");
  show("stopped");
}

function renderStopped(step) {
  stopMedia();
  $("stopped-title").textContent = t(`${step}.title`);
  $("stopped-text").textContent = t(`${step}.text`, { duration: graceText() });
  show("stopped");
}

function renderReady() {
  $("ready-count").textContent = t("ready.count", { n: app.state.question_count });
  renderPracticeHeard();
}

function renderPracticeHeard() {
  const el = $("practice-heard");
  if (app.practiceHeard === null) el.textContent = t("ready.listening");
  else el.textContent = app.practiceHeard || t("ready.nothing");
}

function fmt(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function tick() {
  const s = app.state;
  if (!s || !s.question || app.deadline === null) return;
  const left = Math.max(0, (app.deadline - performance.now()) / 1000);
  const total = app.phaseSeconds || 1;
  const used = Math.min(total, total - left);
  if (s.phase === "answering") {
    $("clock").textContent = `${fmt(used)} / ${fmt(total)}`;
  } else {
    $("clock").textContent = fmt(left);
  }
  $("progress-fill").style.width = `${Math.round((used / total) * 100)}%`;
}
setInterval(tick, 250);

// ---------- camera and microphone ----------

const PROBLEM_KEYS = {
  NotAllowedError: "device.problem.denied",
  SecurityError: "device.problem.denied",
  NotFoundError: "device.problem.missing",
  OverconstrainedError: "device.problem.missing",
  NotReadableError: "device.problem.busy",
  AbortError: "device.problem.busy",
  NoCamera: "device.problem.noCamera",
  NoMicrophone: "device.problem.noMicrophone",
  Unsupported: "device.problem.unsupported",
};

async function startDevices({ quiet = false } = {}) {
  if (app.stream) return deviceReady(quiet);
  if (app.deviceCheck === "running") return undefined;
  app.deviceCheck = "running";
  $("device-problem").hidden = true;
  $("device-retry").hidden = true;
  $("device-continue").disabled = true;
  setDeviceState("camera-state", "device.camera.waiting", null);
  setDeviceState("mic-state", "device.mic.waiting", null);
  let problem = null;
  if (!navigator.mediaDevices?.getUserMedia) {
    problem = "Unsupported";
  } else {
    try {
      app.stream = await navigator.mediaDevices.getUserMedia({
        // The server plays nothing back, so there is no echo to cancel; and the browser's noise
        // suppression and gain control reshape speech in ways that raised Whisper's word errors
        // in our measurements. The level meter tells a candidate whose microphone is too quiet.
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
        video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30, max: 30 } },
      });
    } catch (error) {
      problem = error.name in PROBLEM_KEYS ? error.name : "NotReadableError";
    }
  }
  if (!problem && app.stream.getVideoTracks().length === 0) problem = "NoCamera";
  if (!problem && app.stream.getAudioTracks().length === 0) problem = "NoMicrophone";
  if (problem) {
    stopMedia();
    setDeviceState("camera-state", "device.camera.bad", false);
    setDeviceState("mic-state", "device.mic.bad", false);
    const box = $("device-problem");
    box.textContent = t(PROBLEM_KEYS[problem]);
    box.hidden = false;
    $("device-retry").hidden = problem === "Unsupported";
    app.deviceCheck = "failed";
    send("device.result", { camera: false, microphone: false, problem });
    return;
  }
  app.deviceCheck = "ok";
  document.body.dataset.media = "ready";  // the stream is live (used by tests and styles)
  deviceReady(quiet);
}

function deviceReady(quiet) {
  $("preview").srcObject = app.stream;
  setDeviceState("camera-state", "device.camera.ok", true);
  setDeviceState("mic-state", app.heardSomething ? "device.mic.ok" : "device.mic.silent", app.heardSomething || null);
  $("device-continue").disabled = false;
  if (!app.meterStop) app.meterStop = startMeter(app.stream);
  if (!quiet) $("device-continue").focus({ preventScroll: true });
}

function setDeviceState(id, key, ok) {
  const el = $(id);
  el.textContent = t(key);
  el.classList.toggle("ok", ok === true);
  el.classList.toggle("bad", ok === false);
}

function startMeter(stream) {
  const ctx = new AudioContext();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  const meter = $("mic-meter");
  const fill = meter.querySelector(".meter-fill");
  let running = true;
  let lastAria = -1;
  const loop = () => {
    if (!running) return;
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const x of data) sum += x * x;
    const db = 10 * Math.log10(sum / data.length + 1e-12);
    const level = Math.max(0, Math.min(100, Math.round(((db + 60) / 60) * 100)));
    fill.style.width = `${level}%`;
    if (Math.abs(level - lastAria) >= 10) {
      meter.setAttribute("aria-valuenow", String(level));
      lastAria = level;
    }
    if (level > 25 && !app.heardSomething) {
      app.heardSomething = true;
      setDeviceState("mic-state", "device.mic.ok", true);
    }
    requestAnimationFrame(loop);
  };
  if (ctx.state === "suspended") ctx.resume().catch(() => {});
  requestAnimationFrame(loop);
  return () => { running = false; ctx.close().catch(() => {}); };
}

function stopMedia() {
  app.meterStop?.();
  app.meterStop = null;
  app.stream?.getTracks().forEach((track) => track.stop());
  app.stream = null;
  closePeer();
}

function closePeer() {
  clearTimeout(app.stallTimer);
  app.pc?.close();
  app.pc = null;
  app.mediaReady = false;
  document.body.dataset.audio = "waiting";
}

// ---------- WebRTC ----------

function iceGatheringDone(pc, timeoutMs) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, timeoutMs);
  });
}

// One peer connection per WebSocket connection; after a drop the next one is negotiated afresh.
async function negotiate() {
  if (app.pc || !app.stream || !app.connected) return;
  app.mediaReady = false;
  const pc = new RTCPeerConnection({ iceServers: (app.state?.ice_servers || []).map((url) => ({ urls: url })) });
  app.pc = pc;
  try {
    for (const track of app.stream.getTracks()) pc.addTrack(track, app.stream);
    pc.addEventListener("connectionstatechange", () => {
      if (app.pc !== pc) return;
      clearTimeout(app.stallTimer);
      // A failed peer connection is replaced by reconnecting (aiortc has no ICE restart); a
      // "disconnected" one often recovers by itself, so it gets a few seconds first.
      if (pc.connectionState === "failed") app.conn.drop();
      else if (pc.connectionState === "disconnected") {
        app.stallTimer = setTimeout(() => { if (app.pc === pc && pc.connectionState !== "connected") app.conn.drop(); }, MEDIA_STALL_MS);
      }
    });
    await pc.setLocalDescription(await pc.createOffer());
    await iceGatheringDone(pc, 5000);  // no trickle ICE: the offer carries every candidate
    if (app.pc === pc) send("webrtc.offer", { sdp: pc.localDescription.sdp });  // unless dropped meanwhile
  } catch (error) {
    console.warn("could not start the peer connection:", error);
    if (app.pc === pc) app.conn.drop();
  }
}

// The media path's round-trip time, from the ICE candidate pair in use, for HR's quality view
// (the server cannot measure it: it sends no media). Reported with every heartbeat ping.
async function sampleRoundTrip() {
  const pc = app.pc;
  if (!pc || pc.connectionState !== "connected") { app.rttMs = null; return; }
  try {
    const stats = await pc.getStats();
    let rtt = null;
    stats.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded" && s.currentRoundTripTime != null) {
        rtt = Math.round(s.currentRoundTripTime * 1000);
      }
    });
    app.rttMs = rtt;
  } catch {
    app.rttMs = null;
  }
}
setInterval(sampleRoundTrip, 2000);

// ---------- buttons ----------

function wire() {
  $("accept").addEventListener("click", () => send("consent", { accept: true }));
  $("decline").addEventListener("click", () => send("consent", { accept: false }));
  $("device-retry").addEventListener("click", () => startDevices());
  $("device-continue").addEventListener("click", () => {
    $("device-continue").disabled = true;
    send("device.result", { camera: true, microphone: true });
    negotiate();
  });
  $("start-answer").addEventListener("click", () => {
    const q = app.state?.question;
    if (q) send("answer.start", { question: q.index });
  });
  $("finish-answer").addEventListener("click", () => {
    const q = app.state?.question;
    if (q) send("answer.finish", { question: q.index });
  });
  $("begin").addEventListener("click", () => send("interview.begin"));
  $("banner-retry").addEventListener("click", () => app.conn?.retryNow());
  window.addEventListener("hashchange", () => location.reload());
}

async function main() {
  await setLanguage(PAGE, preferredLanguage("en"), { remember: false });
  languagePicker($("lang"), PAGE, () => {
    if (app.state || app.queue || app.withdrawn) render();
    if ((app.state || app.queue) && !app.connected && app.retry) showRetrying(app.retry);
  });
  wire();
  connect();
}

main();
