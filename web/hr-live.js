// The live dashboard (#live): count tiles, the interviews being taken and the latest anomalies,
// kept up to date over one WebSocket (/ws/hr) without reloading. The server sends a snapshot when
// we subscribe (again after each filter change or reconnect), then deltas.
//
// Screen readers: nothing here is a live region except #live-summary, which says — politely, at
// most every few seconds — what changed that matters (an interview started, finished or lost its
// connection; an answer was scored; an anomaly). Captions and connection figures are never read out.
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { isHr } from "./hr-account.js";
import { $, el, tx } from "./hr-dom.js";
import { anomalyList, elapsedText, rowElement, sortedRows, tiles } from "./hr-live-render.js";
import { kindText } from "./hr-anomalies.js";

const ANNOUNCE_EVERY_MS = 5000;
const SILENCE_LIMIT_MS = 35000;  // the server sends something at least every 10 s
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
const FINISHED_KEEP_MS = 15 * 60 * 1000;  // as long as the server keeps finished interviews in its snapshot
const MAX_ANOMALIES = 50;

let ctx;
let active = false;           // the view is shown: keep a socket open
let socket = null;
let attempt = 0;
let retryTimer = null;
let watchdog = null;
let ticker = null;
let order = 0;                // arrival order of rows, newest highest
let filters = { job_id: null, department: null };
const state = { rows: new Map(), counts: null, anomalies: [], jobs: [], departments: [], connection: "connecting" };
let pending = [];             // notable changes not yet announced
let announceTimer = null;
let lastAnnounce = 0;

// --- the view's lifecycle (hr.js router) ---

export function init(context) {
  ctx = context;
}

// The view's markup exists only while it is shown (so that its labels never shadow another view's).
function build() {
  $("view-live").replaceChildren(
    el("div", { class: "view-head" },
      tx(el("h1", { id: "live-title", tabindex: "-1" }), "live.title"),
      el("p", { class: "live-connection", id: "live-connection" })),
    el("div", { class: "card live-filters" },
      el("div", { class: "toolbar" },
        el("div", { class: "field" }, tx(el("label", { for: "live-job" }), "live.filter.job"), el("select", { id: "live-job" })),
        el("div", { class: "field" },
          tx(el("label", { for: "live-department" }), "live.filter.department"), el("select", { id: "live-department" }))),
      el("div", { id: "live-msg" })),
    el("p", { id: "live-summary", class: "visually-hidden", "aria-live": "polite", "aria-atomic": "true" }),
    el("section", { class: "live-counts", "aria-labelledby": "live-counts-title" },
      tx(el("h2", { id: "live-counts-title", class: "visually-hidden" }), "live.countsTitle"),
      el("ul", { class: "tiles", id: "live-tiles" })),
    el("section", { class: "card", "aria-labelledby": "live-now-title" },
      tx(el("h2", { id: "live-now-title" }), "live.nowTitle"),
      el("div", { class: "table-wrap" },
        el("table", { class: "data-table stack live-table", id: "live-table", role: "table" },
          tx(el("caption", { class: "visually-hidden" }), "live.caption"),
          el("thead", { role: "rowgroup" }, el("tr", { role: "row" },
            ["candidate", "status", "where", "elapsed", "connection", "caption", "scores"].map((key) =>
              tx(el("th", { scope: "col", role: "columnheader", class: key === "elapsed" ? "num" : null }),
                `live.col.${key}`)))),
          el("tbody", { role: "rowgroup", id: "live-body" }))),
      el("p", { id: "live-empty", class: "empty", hidden: true }),
      tx(el("p", { class: "hint live-note" }), "live.rttNote")),
    el("section", { class: "card", "aria-labelledby": "live-anomalies-title" },
      tx(el("h2", { id: "live-anomalies-title" }), "live.anomaliesTitle"),
      el("ol", { class: "anomaly-list", id: "live-anomalies" }),
      el("p", { id: "live-anomalies-empty", class: "empty", hidden: true })));
  $("live-job").addEventListener("change", () => changeFilter({ job_id: $("live-job").value ? Number($("live-job").value) : null }));
  $("live-department").addEventListener("change", () => changeFilter({ department: $("live-department").value || null }));
}

export async function show() {
  if (!active) build();
  active = true;
  render();
  if (!socket) connect();
  ticker ??= setInterval(tick, 1000);
}

export function hide() {
  active = false;
  attempt = 0;
  clearTimeout(watchdog);
  clearTimeout(announceTimer);
  announceTimer = null;
  pending = [];
  Object.assign(state, { rows: new Map(), counts: null, anomalies: [], connection: "connecting" });
  $("view-live").replaceChildren();
  clearInterval(ticker);
  ticker = null;
  clearTimeout(retryTimer);
  retryTimer = null;
  if (socket) {
    const closing = socket;
    socket = null;
    closing.close(1000, "view closed");
  }
}

export function rerender() {
  if (active) render();
}

// --- the socket ---

function connect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  setConnection(attempt ? "reconnecting" : "connecting");
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/hr`);
  socket = ws;
  ws.addEventListener("open", () => {
    if (socket !== ws) return;
    send({ type: "subscribe", job_id: filters.job_id, department: filters.department });
  });
  ws.addEventListener("message", (event) => {
    if (socket !== ws) return;
    resetWatchdog();
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    receive(message);
  });
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return;  // we closed it ourselves (view hidden, or replaced)
    socket = null;
    clearTimeout(watchdog);
    closed(event.code);
  });
  resetWatchdog();
}

function send(message) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ v: 1, ...message }));
}

function resetWatchdog() {
  clearTimeout(watchdog);
  watchdog = setTimeout(() => socket?.close(4000, "silent"), SILENCE_LIMIT_MS);
}

async function closed(code) {
  if (!active) return;
  if (code === 4401) return setConnection("ended");  // session over: only signing in again helps
  if (code === 4403) filters = { job_id: null, department: null };  // lost access to what we watched
  if (code !== 4408 && code !== 4403) {
    // A refused handshake looks like any lost connection: ask the server whether we are still signed in.
    try {
      await api("/api/me", { redirectOn401: false });
    } catch (error) {
      if (error.status === 401) return setConnection("ended");
    }
  }
  if (!active) return;
  const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
  attempt += 1;
  setConnection("reconnecting");
  retryTimer = setTimeout(connect, code === 4408 ? 0 : base * (0.8 + Math.random() * 0.4));
}

function changeFilter(change) {
  filters = { ...filters, ...change };
  $("live-msg").replaceChildren();
  send({ type: "subscribe", job_id: filters.job_id, department: filters.department });
}

// --- what the server says ---

function receive(message) {
  switch (message.type) {
    case "snapshot":
      attempt = 0;
      setConnection("live");
      state.rows = new Map(message.interviews.map((row) => [row.id, { ...row, order: order++, touched: Date.now() }]));
      state.counts = message.counts;
      state.anomalies = message.anomalies.slice(0, MAX_ANOMALIES);
      state.jobs = message.jobs;
      state.departments = message.departments;
      filters = { job_id: message.filters.job_id, department: message.filters.department };
      render();
      return;
    case "counts":
      state.counts = message.counts;
      renderTiles();
      return;
    case "interview":
      applyPatch(message.interview);
      return;
    case "anomaly":
      if (!state.anomalies.some((a) => a.id === message.anomaly.id)) {
        state.anomalies = [message.anomaly, ...state.anomalies].slice(0, MAX_ANOMALIES);
        renderAnomalies();
        note(t("live.say.anomaly", { kind: kindText(message.anomaly), name: message.anomaly.interview.candidate_name }));
      }
      return;
    case "error":
      filterError(message.error);
      return;
    default:
      return;  // heartbeat, pong
  }
}

function applyPatch(patch) {
  const before = state.rows.get(patch.id);
  const row = before ? { ...before } : { answers: [], interruptions: 0, order: order++ };
  const { answer, ...fields } = patch;
  Object.assign(row, fields);
  row.touched = Date.now();
  if (answer) {
    row.answers = [...(row.answers ?? []).filter((a) => a.question !== answer.question), answer];
    note(answer.status === "scored" && answer.score != null
      ? t("live.say.scored", { name: row.candidate_name, n: answer.question + 1, score: answer.score })
      : t("live.say.noAnswer", { name: row.candidate_name, n: answer.question + 1 }));
  }
  if (before && fields.status && fields.status !== before.status) {
    note(t("live.say.status", { name: row.candidate_name, status: t(`status.${fields.status}`) }));
  } else if (!before && fields.status) {
    note(t("live.say.status", { name: row.candidate_name, status: t(`status.${fields.status}`) }));
  }
  state.rows.set(row.id, row);
  renderRow(row, before);
}

function filterError(error) {
  const key = ["forbidden", "not_found"].includes(error?.code) ? `live.error.${error.code}` : "live.error.other";
  const box = el("div", { class: "alert error", role: "alert" }, tx(el("span"), key));
  $("live-msg").replaceChildren(box);
  filters = { job_id: null, department: null };
  renderFilters();
}

// --- announcements (one polite live region, throttled) ---

function note(text) {
  pending.push(text);
  if (announceTimer) return;
  const wait = Math.max(0, lastAnnounce + ANNOUNCE_EVERY_MS - Date.now());
  announceTimer = setTimeout(announce, wait);
}

function announce() {
  announceTimer = null;
  if (!pending.length) return;
  lastAnnounce = Date.now();
  const shown = pending.slice(-3);
  const more = pending.length - shown.length;
  pending = [];
  const parts = [...shown];
  if (more > 0) parts.push(t("live.say.more", { n: more }));
  if (state.counts) {
    parts.push(t("live.say.counts", { live: state.counts.in_progress ?? 0, away: state.counts.disconnected ?? 0 }));
  }
  $("live-summary").textContent = parts.join(" ");
}

// --- rendering ---

function link(item) {
  return isHr(ctx.user) ? `#interview/${item.id}` : `/review#interview/${item.id}`;
}

function setConnection(value) {
  state.connection = value;
  const box = $("live-connection");
  if (!box) return;  // the view is not shown
  box.className = `live-connection conn-${value}`;
  if (value === "ended") {
    const next = encodeURIComponent(location.pathname + location.hash);
    box.replaceChildren(tx(el("span"), "live.conn.ended"), " ",
      tx(el("a", { href: `/login?next=${next}` }), "live.conn.signIn"));
    return;
  }
  box.replaceChildren(el("span", { class: "dot", "aria-hidden": "true" }), tx(el("span"), `live.conn.${value}`));
}

function render() {
  setConnection(state.connection);
  renderFilters();
  renderTiles();
  renderRows();
  renderAnomalies();
}

function renderFilters() {
  const job = $("live-job");
  job.replaceChildren(new Option(t("live.filter.allJobs"), ""),
    ...state.jobs.map((item) => new Option(`${item.title} — ${item.department}`, String(item.id))));
  job.value = filters.job_id == null ? "" : String(filters.job_id);
  const department = $("live-department");
  department.replaceChildren(new Option(t("live.filter.allDepartments"), ""),
    ...state.departments.map((name) => new Option(name, name)));
  department.value = filters.department ?? "";
}

function renderTiles() {
  $("live-tiles").replaceChildren(...tiles(state.counts));
}

function renderRows() {
  const rows = sortedRows(state.rows.values());
  $("live-body").replaceChildren(...rows.map((row) => rowElement(row, link)));
  const empty = $("live-empty");
  $("live-table").hidden = rows.length === 0;
  empty.hidden = rows.length > 0;
  if (!rows.length) tx(empty, state.connection === "live" ? "live.empty" : "common.loading");
}

// One row changed: replace it in place (keeping the focus on its link if it had it), or re-sort
// when it is new or its status changed.
function renderRow(row, before) {
  const old = [...$("live-body").children].find((tr) => tr.dataset.id === row.id);
  if (!old || !before || before.status !== row.status) {
    const focused = document.activeElement?.closest?.("#live-body tr")?.dataset.id;
    renderRows();
    if (focused) [...$("live-body").children].find((tr) => tr.dataset.id === focused)?.querySelector("a")?.focus();
    return;
  }
  const hadFocus = old.contains(document.activeElement);
  const fresh = rowElement(row, link);
  old.replaceWith(fresh);
  if (hadFocus) fresh.querySelector("a")?.focus();
}

function renderAnomalies() {
  const list = $("live-anomalies");
  list.replaceChildren(...anomalyList(state.anomalies, link));
  const empty = $("live-anomalies-empty");
  empty.hidden = state.anomalies.length > 0;
  list.hidden = !state.anomalies.length;
  if (!state.anomalies.length) tx(empty, "live.noAnomalies");
}

// Every second: elapsed times move on; finished interviews leave after a while.
function tick() {
  const now = Date.now();
  let removed = false;
  for (const [id, row] of state.rows) {
    if (!["in_progress", "disconnected", "consented"].includes(row.status) && now - row.touched > FINISHED_KEEP_MS) {
      state.rows.delete(id);
      removed = true;
    }
  }
  if (removed) {
    renderRows();
    return;
  }
  for (const tr of $("live-body").children) {
    const row = state.rows.get(tr.dataset.id);
    const cellText = tr.querySelector(".elapsed");
    if (row && cellText) cellText.textContent = elapsedText(row, now);
  }
}
