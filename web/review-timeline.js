// An answer's recording as one timeline. A candidate who reconnects mid-answer leaves several
// parts; each starts at its `offset` on the answer's clock (the clock the transcript's word
// times use). Pure functions: no DOM, no media element.

// [{part, url, status, start, end}] in playing order. A part without a duration (cut short by
// a crash and recovered) ends where the next one starts, or at `answerSeconds` if it is last.
export function partSpans(parts, answerSeconds = 0) {
  const sorted = [...(parts ?? [])].sort((a, b) => (a.offset - b.offset) || (a.part - b.part));
  return sorted.map((p, i) => {
    const start = Math.max(0, Number(p.offset) || 0);
    const next = sorted[i + 1];
    let end;
    if (Number(p.duration) > 0) end = start + Number(p.duration);
    else if (next) end = Math.max(start, Number(next.offset) || 0);
    else end = Math.max(start, Number(answerSeconds) || 0);
    return { part: p.part, url: p.url, status: p.status, start, end, measured: Number(p.duration) > 0 };
  });
}

export function timelineLength(spans) {
  return spans.reduce((longest, span) => Math.max(longest, span.end), 0);
}

// Which part plays answer time `t`, and where in it: { index, offset }. A time in a gap between
// parts plays the start of the next; a time past the end, the end of the last.
export function locate(spans, t) {
  if (!spans.length) return null;
  const time = Math.max(0, t);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    if (time < span.start) return { index: i, offset: 0 };
    if (time < span.end || i === spans.length - 1) return { index: i, offset: Math.min(time, span.end) - span.start };
  }
  return null;
}

// The word being spoken at `t`: the last one that has started, as long as `t` is not well
// past its end (a pause); -1 before the first word or in a long pause.
export function wordAt(words, t, pause = 1.0) {
  let low = 0;
  let high = words.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (words[mid].s <= t) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (found < 0 || t > words[found].e + pause) return -1;
  return found;
}
