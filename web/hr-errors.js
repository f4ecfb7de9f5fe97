// Turning API errors into messages people can act on, next to the input they are about.
//
// The server names the failing field ("title", "questions[1].answer_seconds",
// "questions[0].rubric") and says what is wrong in English. Known messages are translated
// from the catalog; anything else is shown as the server wrote it.
import { el, tx } from "./hr-dom.js";

// [pattern on the server's message, catalog key, names of the captured groups]
const KNOWN_MESSAGES = [
  [/^is required$/, "invalid.required", []],
  [/^must be at most (\d+) characters$/, "invalid.maxChars", ["max"]],
  [/^must be a whole number of seconds$/, "invalid.wholeSeconds", []],
  [/^must be between (\d+) and (\d+)$/, "invalid.between", ["low", "high"]],
  [/^is not an e-mail address$/, "invalid.email", []],
  [/^must name a job$/, "invalid.job", []],
  [/^no such job$/, "invalid.job", []],
  [/^must be 'en' or 'zh'$/, "invalid.language", []],
  [/^at least one question is required$/, "invalid.noQuestions", []],
  [/^at most (\d+) questions$/, "invalid.tooManyQuestions", ["max"]],
  [/^competencies must list at least one competency$/, "invalid.rubric.empty", []],
  [/^competencies has \d+ entries; at most (\d+) are allowed$/, "invalid.rubric.tooMany", ["max"]],
  [/^competency names must be unique; '(.*)' appears twice$/, "invalid.rubric.unique", ["name"]],
  [/\.name must be a non-empty string/, "invalid.rubric.name", []],
  [/\.weight must be a number greater than 0/, "invalid.rubric.weight", []],
  [/\.indicators must list at least one phrase/, "invalid.rubric.indicators", []],
  [/\.indicators must be a list/, "invalid.rubric.indicators", []],
  [/\.indicators has \d+ phrases; at most (\d+) are allowed/, "invalid.rubric.tooManyIndicators", ["max"]],
  [/\.indicators\[\d+\] has \d+ characters; at most (\d+) are allowed/, "invalid.rubric.indicatorTooLong", ["max"]],
  [/\.indicators\[\d+\] must be a non-empty string/, "invalid.rubric.indicators", []],
  [/^must be a whole number from 1 to 5$/, "invalid.rating", []],
  [/^must be text of at most (\d+) characters$/, "invalid.maxChars", ["max"]],
  [/^a department head or reviewer needs at least one department$/, "invalid.departmentsNeeded", []],
  [/^must be a list of department names$/, "invalid.departments", []],
  [/^must be admin, hr, dept_head or reviewer$/, "invalid.role", []],
];

// The message for an invalid field: { key, params } when we know it, else { text }.
export function describeInvalid(message) {
  for (const [pattern, key, names] of KNOWN_MESSAGES) {
    const match = pattern.exec(message);
    if (match) return { key, params: Object.fromEntries(names.map((name, i) => [name, match[i + 1]])) };
  }
  return { text: message };
}

// The message for any failed request.
export function describeError(error) {
  if (error?.code === "network" || error?.status === 0) return { key: "error.network" };
  if (error?.status === 429) return { key: "error.tooMany", params: { seconds: Math.max(1, Math.ceil(error.retryAfter ?? 30)) } };
  if (error?.status === 403) return { key: "error.forbidden" };
  if (error?.status === 404) return { key: "error.notFound" };
  if (error?.status >= 500) return { key: "error.server", params: { status: error.status } };
  if (error?.code === "invalid") return describeInvalid(error.message);
  if (error?.status) return { key: "error.other", params: { status: error.status, message: error.message } };
  return { key: "error.unexpected" };
}

// The element an error's field refers to: [data-field="questions[0].rubric"] etc. A rubric
// message that names a competency ("competencies[1].weight must …") points at that row's input.
export function fieldTarget(form, field, message = "") {
  const exact = (name) => form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (/\.rubric$/.test(field)) {
    const match = /competencies\[(\d+)\]\.(name|weight|indicators)/.exec(message);
    const row = match && exact(`${field}.competencies[${match[1]}].${match[2]}`);
    if (row) return row;
  }
  let name = field;
  while (name) {
    const found = exact(name);
    if (found) return found;
    const shorter = name.replace(/(\.[^.[\]]+|\[\d+\])$/, "");  // questions[1].text → questions[1] → questions
    if (shorter === name) break;
    name = shorter;
  }
  return null;
}

function isControl(node) {
  return node instanceof HTMLInputElement || node instanceof HTMLSelectElement || node instanceof HTMLTextAreaElement;
}

// Show `message` ({key, params} | {text}) at `target`: under an input (described by it, marked
// invalid), or at the top of a group such as a fieldset.
export function showFieldError(target, message) {
  const box = el("p", { class: "field-error" });
  if (message.key) tx(box, message.key, message.params);
  else box.textContent = message.text;
  if (isControl(target)) {
    box.id = `${target.id}-error`;
    target.setAttribute("aria-invalid", "true");
    const described = (target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!described.includes(box.id)) target.setAttribute("aria-describedby", [...described, box.id].join(" "));
    target.after(box);
    return target;
  }
  const slot = target.querySelector(":scope > .group-error") || target;
  slot.prepend(box);
  box.tabIndex = -1;
  return box;
}

export function clearFieldErrors(form) {
  for (const box of form.querySelectorAll(".field-error")) box.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) unmark(input);
}

function unmark(input) {
  input.removeAttribute("aria-invalid");
  const described = (input.getAttribute("aria-describedby") || "").split(" ")
    .filter((id) => id && id !== `${input.id}-error`);
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

// Once the user edits an input that has an error, the error goes away.
export function clearErrorsOnInput(form) {
  form.addEventListener("input", (event) => {
    const input = event.target;
    if (input.getAttribute?.("aria-invalid") !== "true") return;
    document.getElementById(`${input.id}-error`)?.remove();
    unmark(input);
  });
}

// Show a 400's field error in `form` and move focus there; returns false if no field matched.
export function showApiFieldError(form, error) {
  if (error?.code !== "invalid" || !error.field) return false;
  const target = fieldTarget(form, error.field, error.message);
  if (!target) return false;
  const focus = showFieldError(target, describeInvalid(error.message));
  focus.focus();
  return true;
}
