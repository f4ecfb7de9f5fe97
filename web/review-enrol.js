// Setting up two-step verification: a new secret from the server as a QR code and as a key to
// type (in groups of four), then the first code from the app turns it on.
import { api } from "./hr-api.js";
import { $, clearNotice, notice, tx } from "./hr-dom.js";
import { describeError } from "./hr-errors.js";
import { codeForm, focusCode } from "./review-code.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const SVG_ATTRIBUTES = { svg: ["xmlns", "viewBox"], path: ["d", "fill", "stroke"] };

let form = null;

// `onDone` runs once the code is confirmed (recordings are then open); `onEnrolled` when the
// server says two-step verification is already on (go to the step-up instead).
export function init({ onDone, onEnrolled }) {
  form = codeForm({ id: "enrol-form", endpoint: "/api/totp/confirm", submitKey: "review.enrol.submit",
    onSuccess: onDone, onState: () => show({ onEnrolled }) });
  $("enrol-code").replaceChildren(form);
  $("enrol-copy").addEventListener("click", copyKey);
}

export async function show({ onEnrolled, focus = false }) {
  $("enrol-secret").hidden = true;
  clearNotice($("enrol-msg"));
  if (focus) $("enrol-title").focus();
  let data;
  try {
    data = await api("/api/totp/enroll", { method: "POST" });
  } catch (error) {
    if (error.code === "redirecting") return;
    if (error.status === 409) {
      onEnrolled();
      return;
    }
    notice($("enrol-msg"), "error", describeError(error));
    return;
  }
  let qr = null;
  try {
    qr = qrCode(data.qr_svg);
  } catch {
    qr = null;  // the key below is enough to set up the app
  }
  $("enrol-qr").replaceChildren(...(qr ? [qr] : []));
  $("enrol-qr").hidden = !qr;
  $("totp-key").textContent = groupKey(data.secret);
  $("totp-key").dataset.secret = data.secret;
  $("enrol-account").textContent = accountName(data.uri);
  $("enrol-open").href = data.uri;
  $("enrol-copy-status").textContent = "";
  $("enrol-secret").hidden = false;
  if (focus) focusCode(form);
}

// "JBSWY3DPEHPK3PXP…" → "JBSW Y3DP EHPK 3PXP …"
export function groupKey(secret) {
  return String(secret).replace(/\s+/g, "").match(/.{1,4}/g)?.join(" ") ?? "";
}

function accountName(uri) {
  try {
    const label = decodeURIComponent(new URL(uri).pathname.replace(/^\/+/, ""));
    return label.includes(":") ? label.slice(label.indexOf(":") + 1) : label;
  } catch {
    return "";
  }
}

// The server's QR code SVG, parsed as XML (never as HTML) and rebuilt from an allow-list: only
// <svg> and <path> with their geometry and colours survive.
function qrCode(markup) {
  const doc = new DOMParser().parseFromString(String(markup), "image/svg+xml");
  const root = doc.documentElement;
  if (doc.getElementsByTagName("parsererror").length || root.namespaceURI !== SVG_NS || root.localName !== "svg") {
    throw new Error("not an SVG document");
  }
  for (const node of [root, ...root.querySelectorAll("*")]) {
    const allowed = SVG_ATTRIBUTES[node.localName];
    if (!allowed || node.namespaceURI !== SVG_NS) {
      node.remove();
      continue;
    }
    for (const attribute of [...node.attributes]) {
      if (!allowed.includes(attribute.name)) node.removeAttribute(attribute.name);
    }
  }
  const svg = document.importNode(root, true);
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("shape-rendering", "crispEdges");
  return svg;
}

async function copyKey() {
  const key = $("totp-key");
  const status = $("enrol-copy-status");
  status.classList.remove("ok");
  try {
    await navigator.clipboard.writeText(key.dataset.secret ?? key.textContent.replace(/\s+/g, ""));
    tx(status, "review.enrol.copied");
    status.classList.add("ok");
  } catch {
    // No clipboard access: select the key so it can be copied by hand.
    const range = document.createRange();
    range.selectNodeContents(key);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    tx(status, "review.enrol.copyManual");
  }
}
