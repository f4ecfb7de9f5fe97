// The 6-digit code form, for confirming a new authenticator app and for stepping up. A valid
// code opens the recordings for 15 minutes (the server rotates the session cookie).
import { api } from "./hr-api.js";
import { busy, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showFieldError } from "./hr-errors.js";
import { setStepUp } from "./review-stepup.js";

// codeForm({ id, endpoint: "/api/step-up" | "/api/totp/confirm", submitKey, onSuccess, onState })
// → the <form>; `onState` hears a 409 (two-step verification is not in the state this needs).
export function codeForm({ id, endpoint, submitKey, onSuccess, onState = null }) {
  const input = el("input", {
    id: `${id}-input`, class: "code-input", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 9,
    spellcheck: "false", autocapitalize: "none", "aria-describedby": `${id}-hint`, dataset: { field: "code" },
  });
  const button = tx(el("button", { type: "submit" }), submitKey);
  const status = el("div", { id: `${id}-msg`, "aria-live": "polite" });
  const form = el("form", { class: "code-form", id, novalidate: true },
    el("div", { class: "field" },
      tx(el("label", { for: input.id }), "review.code.label"),
      input,
      tx(el("p", { class: "hint", id: `${id}-hint` }), "review.code.hint")),
    status,
    el("div", { class: "actions" }, button));
  clearErrorsOnInput(form);
  let waitTimer = null;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    clearFieldErrors(form);
    clearNotice(status);
    const code = input.value.replace(/\s+/g, "");
    if (!/^\d{6}$/.test(code)) {
      showFieldError(input, { key: code ? "review.code.format" : "invalid.required" });
      input.focus();
      return;
    }
    const done = busy(button, "review.code.checking");
    let data;
    try {
      data = await api(endpoint, { method: "POST", body: { code } });
    } catch (error) {
      done();
      if (error.code === "redirecting") return;
      input.value = "";
      if (error.code === "bad_code" || error.code === "invalid") {
        showFieldError(input, { key: "review.code.bad" });
        input.focus();
      } else if (error.status === 429) {
        notice(status, "error", describeError(error)).focus();
        holdButton(button, error.retryAfter);
      } else if (error.status === 409) {
        notice(status, "error", { key: "review.code.state" });
        onState?.(error);
      } else {
        notice(status, "error", describeError(error));
      }
      return;
    }
    done();
    input.value = "";
    setStepUp(data.expires_in);
    onSuccess(data);
  });

  // After "too many attempts" the button waits as long as the server asked.
  function holdButton(target, seconds) {
    clearTimeout(waitTimer);
    target.disabled = true;
    waitTimer = setTimeout(() => {
      target.disabled = false;
    }, Math.max(1, seconds ?? 30) * 1000);
  }

  return form;
}

export function focusCode(form) {
  form.querySelector(".code-input")?.focus();
}
