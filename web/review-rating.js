// The reviewer's own rating (1–5) and note for one answer, saved with PUT.
import { api } from "./hr-api.js";
import { busy, clearNotice, el, notice, tx } from "./hr-dom.js";
import { clearErrorsOnInput, clearFieldErrors, describeError, showApiFieldError, showFieldError } from "./hr-errors.js";
import { timeOnly } from "./hr-format.js";

export const RATINGS = [1, 2, 3, 4, 5];
const MAX_NOTE = 4000;

// `drafts` (a Map by question id) keeps unsaved input across switching questions.
export function ratingForm({ id, interviewId, answer, drafts, onSaved }) {
  const questionId = answer.question.id;
  const saved = () => answer.my_review ?? null;
  const draft = drafts.get(questionId) ?? { rating: saved()?.rating ?? null, note: saved()?.note ?? "" };

  const options = RATINGS.map((rating) => {
    const input = el("input", { type: "radio", name: `${id}-rating`, id: `${id}-r${rating}`, value: String(rating) });
    input.checked = draft.rating === rating;
    return el("div", { class: "rating-option" },
      input,
      el("label", { for: input.id },
        el("span", { class: "rating-number", text: String(rating) }),
        " ",  // "4 Good" as the radio's name, not "4Good"
        tx(el("span", { class: "rating-word" }), `review.rating.r${rating}`)));
  });
  const group = el("fieldset", { class: "rating-scale", dataset: { field: "rating" } },
    tx(el("legend"), "review.rating.legend"),
    el("div", { class: "group-error" }),
    el("div", { class: "rating-options" }, options));
  const note = el("textarea", { id: `${id}-note`, rows: 4, maxlength: MAX_NOTE, dataset: { field: "note" },
    "aria-describedby": `${id}-note-hint` });
  note.value = draft.note;
  const state = el("p", { class: "save-state", id: `${id}-state`, "aria-live": "polite" });
  const status = el("div", { "aria-live": "polite" });
  const button = tx(el("button", { type: "submit", id: `${id}-save` }), "review.rating.save");
  const form = el("form", { class: "rating-form", id, novalidate: true, "aria-labelledby": `${id}-title` },
    tx(el("h3", { id: `${id}-title` }), "review.rating.title"),
    group,
    el("div", { class: "field" },
      tx(el("label", { for: note.id }), "review.rating.note"),
      note,
      tx(el("p", { class: "hint", id: `${id}-note-hint` }), "review.rating.noteHint")),
    status,
    el("div", { class: "form-foot" }, button, state));
  clearErrorsOnInput(form);

  let savedAt = null;

  function current() {
    const checked = form.querySelector(`input[name="${id}-rating"]:checked`);
    return { rating: checked ? Number(checked.value) : null, note: note.value };
  }

  function dirty() {
    const now = current();
    const was = saved();
    return was ? now.rating !== was.rating || now.note.trim() !== was.note : now.rating !== null || now.note.trim() !== "";
  }

  function showState() {
    state.classList.remove("ok", "unsaved");
    if (dirty()) {
      tx(state, saved() ? "review.rating.unsaved" : "review.rating.notRated");
      state.classList.add("unsaved");
    } else if (saved()) {
      if (savedAt) tx(state, "review.rating.savedAt", { time: timeOnly(savedAt) });
      else tx(state, "review.rating.saved", { rating: saved().rating });
      state.classList.add("ok");
    } else {
      tx(state, "review.rating.notRated");
    }
  }

  form.addEventListener("input", () => {
    if (dirty()) drafts.set(questionId, current());
    else drafts.delete(questionId);
    group.querySelector(".field-error")?.remove();
    showState();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clearNotice(status);
    const { rating, note: text } = current();
    if (rating === null) {
      showFieldError(group, { key: "review.rating.choose" }).focus();
      return;
    }
    const done = busy(button, "review.rating.saving");
    let result;
    try {
      result = await api(`/api/review/interviews/${interviewId}/answers/${questionId}`,
        { method: "PUT", body: { rating, note: text } });
    } catch (error) {
      done();
      if (error.code === "redirecting") return;
      if (!showApiFieldError(form, error)) notice(status, "error", describeError(error));
      return;
    }
    done();
    answer.my_review = { rating: result.rating, note: result.note };
    note.value = result.note;
    drafts.delete(questionId);
    savedAt = new Date();
    showState();
    onSaved?.(answer);
  });

  showState();
  return form;
}
