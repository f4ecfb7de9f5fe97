// The question editor of the job forms (new job, edit job) and of the question bank: questions
// with timings, competency tags, an optional rubric, and buttons to reorder them.
//
// Every input carries data-field with the name the server uses for it in a 400
// ("questions[1].answer_seconds", "questions[0].rubric.competencies[2].weight"), kept up to date
// by renumber() whenever questions or competencies are added, removed or moved. A question loaded
// from the server keeps its id (data-question-id), so that the server knows it was kept.
import { t } from "./i18n.js";
import { el, tx } from "./hr-dom.js";

export const MAX_QUESTIONS = 20;
export const MAX_COMPETENCIES = 12;
const DEFAULT_THINK = 30;
const DEFAULT_ANSWER = 120;

let uid = 0;

function label(forId, key) {
  return tx(el("label", { for: forId }), key);
}

function numberField(id, key, role, value, min, max) {
  return el("div", { class: "field" },
    label(id, key),
    el("input", { id, type: "number", inputmode: "numeric", min, max, step: 1, value, required: true,
      dataset: { role } }));
}

function competencyRow(list, onChange, values = null) {
  const id = `c${++uid}`;
  const legend = el("legend", { class: "competency-legend" });
  const remove = el("button", { type: "button", class: "secondary compact remove-competency" },
    tx(el("span"), "rubric.remove"), el("span", { class: "visually-hidden which" }));
  const row = el("fieldset", { class: "competency" },
    legend,
    el("div", { class: "field name" },
      label(`${id}-name`, "rubric.name"),
      el("input", { id: `${id}-name`, maxlength: 200, autocomplete: "off", dataset: { role: "name" } })),
    el("div", { class: "field weight" },
      label(`${id}-weight`, "rubric.weight"),
      el("input", { id: `${id}-weight`, type: "number", inputmode: "decimal", min: 0.1, step: 0.1, value: 1,
        dataset: { role: "weight" } })),
    el("div", { class: "field indicators" },
      label(`${id}-indicators`, "rubric.indicators"),
      el("textarea", { id: `${id}-indicators`, rows: 2, dataset: { role: "indicators" } })),
    el("div", { class: "competency-actions" }, remove));
  remove.addEventListener("click", () => {
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    onChange();
    (next?.querySelector("input") ?? list.closest(".rubric")?.querySelector(".add-competency"))?.focus();
  });
  list.append(row);
  if (values) {
    role(row, "name").value = values.name ?? "";
    role(row, "weight").value = values.weight ?? 1;
    role(row, "indicators").value = (values.indicators ?? []).join(", ");
  }
  return row;
}

// Append a question block to `list`; `onChange` renumbers after any structural change.
// `values` ({id, text, think_seconds, answer_seconds, competencies, rubric}) fills it in.
export function addQuestion(list, onChange, { focus = false, values = null } = {}) {
  const id = `q${++uid}`;
  const competencies = el("div", { class: "competencies" });
  const addCompetency = tx(el("button", { type: "button", class: "secondary compact add-competency" }), "rubric.add");
  const rubric = el("fieldset", { class: "rubric", id: `${id}-rubric`, dataset: { role: "rubric" }, hidden: true },
    tx(el("legend"), "rubric.legend"),
    el("div", { class: "group-error" }),
    tx(el("p", { class: "hint" }), "rubric.hint"),
    competencies,
    addCompetency);
  const useRubric = el("input", { type: "checkbox", id: `${id}-use-rubric`, "aria-controls": rubric.id,
    "aria-expanded": "false", dataset: { role: "use-rubric" } });
  const remove = el("button", { type: "button", class: "secondary compact remove-question" });
  const up = el("button", { type: "button", class: "secondary compact move-up" });
  const down = el("button", { type: "button", class: "secondary compact move-down" });
  const item = el("li", { class: "question" },
    el("fieldset", { class: "question-fields", dataset: { role: "question" } },
      el("legend", { class: "question-legend" }),
      el("div", { class: "group-error" }),
      el("div", { class: "field" },
        label(`${id}-text`, "question.text"),
        el("textarea", { id: `${id}-text`, rows: 3, maxlength: 1000, required: true, dataset: { role: "text" } })),
      el("div", { class: "grid-2" },
        numberField(`${id}-think`, "question.think", "think", DEFAULT_THINK, 0, 600),
        numberField(`${id}-answer`, "question.answer", "answer", DEFAULT_ANSWER, 10, 1800)),
      el("div", { class: "field" },
        label(`${id}-tags`, "question.competencies"),
        el("input", { id: `${id}-tags`, maxlength: 800, autocomplete: "off", "aria-describedby": `${id}-tags-hint`,
          dataset: { role: "competencies" } }),
        tx(el("p", { class: "hint", id: `${id}-tags-hint` }), "question.competenciesHint")),
      el("div", { class: "check" }, useRubric, label(useRubric.id, "question.useRubric")),
      tx(el("p", { class: "hint rubric-off" }), "question.noRubricHint"),
      rubric,
      el("div", { class: "question-actions" }, up, down, remove)));

  useRubric.addEventListener("change", () => {
    rubric.hidden = !useRubric.checked;
    useRubric.setAttribute("aria-expanded", String(useRubric.checked));
    item.querySelector(".rubric-off").hidden = useRubric.checked;
    if (useRubric.checked && !competencies.children.length) {
      competencyRow(competencies, onChange);
      onChange();
    }
  });
  addCompetency.addEventListener("click", () => {
    competencyRow(competencies, onChange).querySelector("input").focus();
    onChange();
  });
  remove.addEventListener("click", () => {
    const next = item.nextElementSibling ?? item.previousElementSibling;
    item.remove();
    onChange();
    next?.querySelector("textarea")?.focus();
  });
  up.addEventListener("click", () => move(item, -1, up, onChange));
  down.addEventListener("click", () => move(item, 1, down, onChange));
  list.append(item);
  if (values) fill(item, values, competencies, onChange);
  onChange();
  if (focus) item.querySelector("textarea").focus();
  return item;
}

// Swap a question with its neighbour; the button keeps the focus (or its twin, at either end).
function move(item, step, button, onChange) {
  const other = step < 0 ? item.previousElementSibling : item.nextElementSibling;
  if (!other) return;
  if (step < 0) other.before(item);
  else other.after(item);
  onChange();
  const target = button.disabled ? item.querySelector(step < 0 ? ".move-down" : ".move-up") : button;
  target.focus();
}

function fill(item, values, competencies, onChange) {
  if (values.id != null) item.dataset.questionId = String(values.id);
  role(item, "text").value = values.text ?? "";
  role(item, "think").value = values.think_seconds ?? DEFAULT_THINK;
  role(item, "answer").value = values.answer_seconds ?? DEFAULT_ANSWER;
  role(item, "competencies").value = (values.competencies ?? []).join(", ");
  const rows = values.rubric?.competencies ?? [];
  if (!rows.length) return;
  const use = role(item, "use-rubric");
  use.checked = true;
  use.setAttribute("aria-expanded", "true");
  role(item, "rubric").hidden = false;
  item.querySelector(".rubric-off").hidden = true;
  for (const row of rows) competencyRow(competencies, onChange, row);
}

function role(root, name) {
  return root.querySelector(`:scope [data-role="${name}"]`);
}

// Number the questions and competencies, name every input for the server's errors, and
// enable or disable the add/remove buttons.
export function renumber(list, addButton) {
  const questions = [...list.children];
  questions.forEach((item, i) => {
    const prefix = `questions[${i}]`;
    role(item, "question").dataset.field = prefix;
    tx(item.querySelector(".question-legend"), "question.legend", { n: i + 1 });
    role(item, "text").dataset.field = `${prefix}.text`;
    role(item, "think").dataset.field = `${prefix}.think_seconds`;
    role(item, "answer").dataset.field = `${prefix}.answer_seconds`;
    role(item, "rubric").dataset.field = `${prefix}.rubric`;
    role(item, "competencies").dataset.field = `${prefix}.competencies`;
    const remove = item.querySelector(".remove-question");
    tx(remove, "question.remove", { n: i + 1 });
    remove.hidden = questions.length === 1;
    const up = item.querySelector(".move-up");
    const down = item.querySelector(".move-down");
    tx(up, "question.up");
    tx(down, "question.down");
    up.setAttribute("aria-label", t("question.moveUp", { n: i + 1 }));
    down.setAttribute("aria-label", t("question.moveDown", { n: i + 1 }));
    up.hidden = down.hidden = questions.length === 1;
    up.disabled = i === 0;
    down.disabled = i === questions.length - 1;
    const rows = [...item.querySelectorAll(".competency")];
    rows.forEach((row, k) => {
      const where = `${prefix}.rubric.competencies[${k}]`;
      tx(row.querySelector(".competency-legend"), "rubric.competency", { n: k + 1 });
      tx(row.querySelector(".which"), "rubric.removeWhich", { n: k + 1 });
      for (const name of ["name", "weight", "indicators"]) role(row, name).dataset.field = `${where}.${name}`;
    });
    item.querySelector(".add-competency").disabled = rows.length >= MAX_COMPETENCIES;
  });
  addButton.disabled = questions.length >= MAX_QUESTIONS;
}

// "a, b\nc，d、e" → ["a", "b", "c", "d", "e"]
export function splitIndicators(text) {
  return text.split(/[,\n\r，、]+/).map((phrase) => phrase.trim()).filter(Boolean);
}

// A number input's value as a number; "" → null and the server says what is wrong.
function numberValue(input) {
  const raw = input.value.trim();
  if (raw === "") return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : raw;
}

// "Leadership, 沟通、Teamwork" → ["Leadership", "沟通", "Teamwork"]
export function splitTags(text) {
  return text.split(/[,;\n\r，、；]+/).map((tag) => tag.trim()).filter(Boolean);
}

export function readQuestions(list) {
  return [...list.children].map((item) => ({
    ...(item.dataset.questionId ? { id: Number(item.dataset.questionId) } : {}),
    text: role(item, "text").value,
    competencies: splitTags(role(item, "competencies").value),
    think_seconds: numberValue(role(item, "think")),
    answer_seconds: numberValue(role(item, "answer")),
    rubric: role(item, "use-rubric").checked
      ? {
        competencies: [...item.querySelectorAll(".competency")].map((row) => ({
          name: role(row, "name").value,
          weight: numberValue(role(row, "weight")),
          indicators: splitIndicators(role(row, "indicators").value),
        })),
      }
      : null,
  }));
}

// Blank required inputs of the questions, as [input, message] pairs, so that all of them can be
// pointed out at once; the server checks everything else (and these again).
export function blankInputs(list) {
  const problems = [];
  for (const item of list.children) {
    const text = role(item, "text");
    if (!text.value.trim()) problems.push([text, { key: "invalid.required" }]);
    if (!role(item, "use-rubric").checked) continue;
    for (const row of item.querySelectorAll(".competency")) {
      const name = role(row, "name");
      const indicators = role(row, "indicators");
      if (!name.value.trim()) problems.push([name, { key: "invalid.rubric.name" }]);
      if (!splitIndicators(indicators.value).length) problems.push([indicators, { key: "invalid.rubric.indicators" }]);
    }
  }
  return problems;
}
