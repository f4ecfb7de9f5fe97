// Small charts as inline SVG, drawn at the pixel width of their container (so text stays at its
// real size on a phone; the caller redraws when the width changes). Every value is written next
// to its bar: colour only repeats what the text says. The chart is one role="img" with a label and
// a description; the caller adds the numbers as a table too.
//
//   barsChart({ rows: [{ label, value, max?, text, pattern? }], width, max })   horizontal bars
//   columnsChart({ columns: [{ label, value, text, pattern? }], width, axis })  vertical bars
// `value` null draws no bar (its `text` says why); `pattern` hatches a bar that is a different kind.

const NS = "http://www.w3.org/2000/svg";
const FONT = 14;
const SMALL = 13;
const NARROW = 520;  // below this width, bar labels go above their bars
let chartCount = 0;

function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  node.append(...children.filter(Boolean));
  return node;
}

function text(x, y, content, attrs = {}) {
  return svgEl("text", { x, y, "font-size": FONT, fill: "currentColor", ...attrs }, content);
}

// A rough width of `content` in pixels at `size` (CJK characters are about twice as wide).
export function textWidth(content, size = FONT) {
  let units = 0;
  for (const char of String(content)) units += /[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]/.test(char) ? 1 : 0.56;
  return units * size;
}

// `content` cut to fit `width` pixels, with an ellipsis.
export function fit(content, width, size = FONT) {
  const chars = [...String(content)];
  if (textWidth(content, size) <= width) return String(content);
  let out = "";
  for (const char of chars) {
    if (textWidth(`${out}${char}…`, size) > width) break;
    out += char;
  }
  return `${out}…`;
}

function root(width, height, { label, describedBy }) {
  chartCount += 1;
  const id = `chart-${chartCount}`;
  const svg = svgEl("svg", {
    xmlns: NS, viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "chart-svg",
    "aria-label": label, "aria-describedby": describedBy, focusable: "false",
  });
  // Hatching for bars of another kind (e.g. interviews without a score): a pattern, not a colour.
  const hatch = svgEl("pattern", { id: `${id}-hatch`, width: 6, height: 6, patternUnits: "userSpaceOnUse",
    patternTransform: "rotate(45)" },
  svgEl("rect", { width: 6, height: 6, class: "chart-hatch-bg" }),
  svgEl("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "chart-hatch-line", "stroke-width": 2.5 }));
  svg.append(svgEl("defs", {}, hatch));
  return { svg, hatchUrl: `url(#${id}-hatch)` };
}

function share(value, max) {
  if (value === null || value === undefined || !max) return 0;
  return Math.max(0, Math.min(1, value / max));
}

export function barsChart({ rows, width, max, label, describedBy, valueWidth }) {
  const narrow = width < NARROW;
  const valueW = valueWidth ?? (narrow ? 96 : 120);
  const labelW = narrow ? 0 : Math.min(Math.round(width * 0.36), 280);
  const rowH = narrow ? 50 : 34;
  const barH = 18;
  const height = rows.length * rowH + 6;
  const { svg, hatchUrl } = root(width, height, { label, describedBy });
  const barX = narrow ? 0 : labelW + 10;
  const barW = Math.max(40, width - barX - valueW - 8);
  rows.forEach((row, index) => {
    const top = index * rowH + 4;
    const barY = narrow ? top + 22 : top + (rowH - barH) / 2 - 2;
    const g = svgEl("g", { class: "chart-row" });
    const shown = fit(row.label, narrow ? width - 4 : labelW, FONT);
    const name = text(narrow ? 0 : labelW, narrow ? top + 14 : barY + barH / 2 + 5, shown,
      { "text-anchor": narrow ? "start" : "end", class: "chart-label" });
    if (shown !== row.label) name.append(svgEl("title", {}, row.label));
    g.append(name);
    g.append(svgEl("rect", { x: barX, y: barY, width: barW, height: barH, rx: 3, class: "chart-track" }));
    const filled = share(row.value, row.max ?? max) * barW;
    if (row.value !== null && row.value !== undefined && filled > 0) {
      g.append(svgEl("rect", { x: barX, y: barY, width: Math.max(filled, 2), height: barH, rx: 3,
        class: row.pattern ? "chart-bar pattern" : "chart-bar", fill: row.pattern ? hatchUrl : null }));
    }
    g.append(text(barX + barW + 8, barY + barH / 2 + 5, fit(row.text, valueW - 8, SMALL),
      { "font-size": SMALL, class: "chart-value" }));
    svg.append(g);
  });
  return svg;
}

export function columnsChart({ columns, width, axis, label, describedBy }) {
  const height = 230;
  const top = 22;
  const bottom = 44;
  const plotH = height - top - bottom;
  const gap = width < NARROW ? 4 : 8;
  const count = columns.length;
  const separate = columns.some((c) => c.pattern);
  const extra = separate ? gap * 2 : 0;  // a wider gap before the bars of another kind
  const colW = Math.max(12, (width - gap * (count - 1) - extra) / count);
  const max = Math.max(1, ...columns.map((c) => c.value ?? 0));
  const { svg, hatchUrl } = root(width, height, { label, describedBy });
  const base = top + plotH;
  svg.append(svgEl("line", { x1: 0, y1: base + 0.5, x2: width, y2: base + 0.5, class: "chart-axis" }));
  let x = 0;
  columns.forEach((column) => {
    if (column.pattern && separate) x += extra;
    const h = (column.value / max) * plotH;
    const g = svgEl("g", { class: "chart-column" });
    if (column.value > 0) {
      g.append(svgEl("rect", { x, y: base - h, width: colW, height: h, rx: 2,
        class: column.pattern ? "chart-bar pattern" : "chart-bar", fill: column.pattern ? hatchUrl : null }));
    }
    g.append(text(x + colW / 2, base - h - 6, String(column.text ?? column.value),
      { "text-anchor": "middle", "font-size": SMALL, class: "chart-value" }));
    // A label wider than its column may spill left when it is the last one (e.g. "None").
    const wide = textWidth(column.label, SMALL) > colW + gap;
    const last = column === columns[count - 1];
    const tick = wide && !last ? fit(column.label, colW + gap, SMALL) : column.label;
    const anchor = wide && last ? { "text-anchor": "end", x: width } : { "text-anchor": "middle", x: x + colW / 2 };
    g.append(text(anchor.x, base + 18, tick, { "text-anchor": anchor["text-anchor"], "font-size": SMALL, class: "chart-label" }));
    svg.append(g);
    x += colW + gap;
  });
  if (axis) svg.append(text(width / 2, height - 6, axis, { "text-anchor": "middle", "font-size": SMALL, class: "chart-axis-label" }));
  return svg;
}
