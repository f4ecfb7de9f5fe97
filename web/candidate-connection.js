// The candidate's WebSocket to the server, kept alive for the whole interview.
//
// A drop is noticed three ways: the socket closes, the server stops answering the heartbeat
// (a socket can stay "open" on a dead network for minutes), or the page reports that its peer
// connection failed. Then we reconnect with backoff and jitter for as long as the server keeps
// the interview; each new socket says hello again and the server answers with where we are.

const PING_EVERY_MS = 2000;
const CONNECT_TIMEOUT_MS = 8000;         // a socket that neither opens nor fails (SYN into the void)
const SILENCE_LIMIT_MS = 5000;           // no message from the server for this long: the link is dead
export const RETRY_DELAYS_MS = [0, 300, 1200, 2700, 4800];
export const RETRY_EVERY_MS = 7000;      // after the first attempts
const JITTER = 0.2;                      // ± 20 %, so a server restart is not met by a stampede

// Close codes after which trying again cannot help (see signaling/candidate_ws.py).
const FINAL_CLOSE = { 4400: "error.protocol", 4401: "error.badLink", 4409: "error.takenOver" };

export function retryDelay(attempt, random = Math.random) {
  const base = attempt < RETRY_DELAYS_MS.length ? RETRY_DELAYS_MS[attempt] : RETRY_EVERY_MS;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

export class Connection {
  // handlers: onMessage(msg), onLost(), onRetrying({attempt, inMs}), onFatal(messageKey),
  // pingFields() → extra fields for each heartbeat ping (the media path's round-trip time)
  constructor(url, token, handlers) {
    this.url = url;
    this.token = token;
    this.handlers = handlers;
    this.ws = null;
    this.attempt = 0;        // failed attempts since the last good connection
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
    this.stopped = false;
    addEventListener("online", () => this.retryNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.checkAlive();
    });
  }

  open() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.attempt > 0) this.handlers.onRetrying({ attempt: this.attempt, inMs: 0 });
    const ws = new WebSocket(this.url);
    this.ws = ws;
    setTimeout(() => { if (this.ws === ws && ws.readyState === WebSocket.CONNECTING) this.drop(); }, CONNECT_TIMEOUT_MS);
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.lastHeard = performance.now();
      this.send("hello", { token: this.token });
      this.pingTimer = setInterval(() => this.heartbeat(), PING_EVERY_MS);
    });
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws) return;
      this.lastHeard = performance.now();
      let msg;
      try { msg = JSON.parse(event.data); } catch { return; }
      if (msg.type === "state" || msg.type === "queue") this.attempt = 0;  // the server knows us again
      this.handlers.onMessage(msg);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      const fatal = FINAL_CLOSE[event.code];
      if (fatal) {
        this.finish();
        this.ws = null;
        clearInterval(this.pingTimer);
        this.handlers.onFatal(fatal);
      } else {
        this.drop();
      }
    });
  }

  send(type, fields = {}) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ v: 1, type, ...fields }));
    return true;
  }

  get connected() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  heartbeat() {
    if (this.checkAlive()) this.send("ping", this.handlers.pingFields?.() ?? {});
  }

  // True if the server was heard from recently; otherwise the connection is dropped.
  checkAlive() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    if (performance.now() - this.lastHeard <= SILENCE_LIMIT_MS) return true;
    this.drop();
    return false;
  }

  // The connection is gone (or useless): forget it now — a socket on a dead network may take
  // minutes to report its close — and schedule the next attempt.
  drop() {
    const ws = this.ws;
    this.ws = null;
    clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(4000, "reconnecting");
    if (this.stopped) return;
    this.handlers.onLost();
    this.schedule();
  }

  schedule() {
    if (this.stopped || this.retryTimer !== null || this.ws) return;
    const inMs = retryDelay(this.attempt);
    this.attempt += 1;
    this.handlers.onRetrying({ attempt: this.attempt, inMs });
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.open(); }, inMs);
  }

  // The network is back (or the user asked): try at once instead of waiting for the timer.
  retryNow() {
    if (this.stopped || this.ws?.readyState === WebSocket.OPEN) return;
    const pending = this.ws;  // an attempt started while offline may hang until its timeout
    this.ws = null;
    if (pending) pending.close();
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  // No more reconnecting: the interview is over on this page (done, declined, interrupted, taken
  // over). A socket still open stays open; if it drops, nothing follows.
  finish() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
