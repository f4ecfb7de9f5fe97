// Files in and out of the HR pages: reading a JSON file the user picked, sending a file as it is
// (a CSV upload), and the table of problems an import reports (item or row, field, message).
import { t } from "./i18n.js";
import { api } from "./hr-api.js";
import { cell, el, tx } from "./hr-dom.js";
import { describeInvalid } from "./hr-errors.js";

export const MAX_JSON_BYTES = 1024 * 1024;

// The parsed JSON of a file, or a rejection with a message ({ key, params }) fit for a notice.
export async function readJsonFile(file) {
  if (file.size > MAX_JSON_BYTES) throw { key: "import.tooLarge", params: { name: file.name } };
  let text;
  try {
    text = await file.text();
  } catch {
    throw { key: "import.unreadable", params: { name: file.name } };
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    throw { key: "import.notJson", params: { name: file.name } };
  }
}

// POST a file as it is (`body`: a File, with `contentType`) or JSON (`json`); see api().
export function send(path, { method = "POST", body, json, contentType } = {}) {
  return api(path, { method, body: json, raw: body, contentType });
}

// A problem reported by the server, translated when the page knows it: CSV problems carry a code
// ("csv.<code>" in the catalog, with params); other messages go through the usual patterns.
export function problemText(problem) {
  if (problem.code && problem.code !== "invalid") {
    const key = `csv.${problem.code}`;
    if (t(key) !== key) return t(key, problem.params ?? {});
  }
  const described = describeInvalid(problem.message ?? "");
  return described.key ? t(described.key, described.params) : described.text;
}

// The table of an import's problems. `whereKey` names the first column ("Question" or "Row").
export function importReport(errors, whereKey, { caption = "import.caption", columnKey = "import.col.field" } = {}) {
  const rows = errors.map((problem) => {
    const where = problem.item ?? problem.row;
    return el("tr", { role: "row" },
      el("th", { scope: "row", role: "rowheader", class: "num where", dataset: { label: t(whereKey) } },
        where == null ? tx(el("span"), "import.whole") : String(where)),
      cell(columnKey, el("code", { text: problem.field ?? problem.column ?? "—" })),
      cell("import.col.problem", problemText(problem)));
  });
  return el("div", { class: "import-report" },
    el("div", { class: "table-wrap" },
      el("table", { class: "data-table stack problems", role: "table" },
        tx(el("caption"), caption, { n: errors.length }),
        el("thead", { role: "rowgroup" }, el("tr", { role: "row" },
          tx(el("th", { scope: "col", role: "columnheader", class: "num" }), whereKey),
          tx(el("th", { scope: "col", role: "columnheader" }), columnKey),
          tx(el("th", { scope: "col", role: "columnheader" }), "import.col.problem"))),
        el("tbody", { role: "rowgroup" }, rows))));
}

// Offer `text` as a file download (a CSV of links, a sample file): an object URL on a link.
export function downloadLink(text, filename, labelKey, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  return tx(el("a", { href: url, download: filename, class: "button secondary compact" }), labelKey);
}

// A CSV cell that a spreadsheet will not run as a formula.
export function csvCell(value) {
  let text = String(value ?? "");
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
