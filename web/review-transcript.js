// The transcript as one element per word, following the recording: the word being spoken is
// marked (aria-current="time"), and a word clicked (or chosen with Enter) plays from there.
//
// The marked word is kept in view by scrolling the transcript's own box — never the page — and
// only until the reader scrolls it themselves; following resumes after a quiet spell, when they
// pick a word, or with the "Back to the current word" button.
import { el, tx } from "./hr-dom.js";
import { wordAt } from "./review-timeline.js";

const RESUME_AFTER_MS = 6000;

const langTag = (code) => (code === "zh" ? "zh-CN" : "en");

// words: [{w, s, e}] on the answer's timeline; `onSeek(seconds)` or null when there is nothing
// to play. Returns { element, update(seconds) }.
export function transcriptView({ id, words, text, jobLanguage, onSeek }) {
  const list = [...(words ?? [])].filter((word) => Number.isFinite(word?.s)).sort((a, b) => a.s - b.s);
  const interactive = Boolean(onSeek) && list.length > 0;
  const box = el("div", { class: "words", id: `${id}-words`, lang: langTag(jobLanguage) });
  const spans = list.map((word, index) => {
    const [, space, body] = /^(\s*)([\s\S]*)$/.exec(String(word.w ?? ""));
    if (space) box.append(space);
    const span = el("span", { class: "word", dataset: { i: String(index) }, text: body });
    if (interactive) span.tabIndex = index === 0 ? 0 : -1;
    box.append(span);
    return span;
  });
  if (!list.length) {
    const fallback = (text ?? "").trim();
    if (fallback) box.textContent = fallback;
    else tx(box, "answer.noTranscript");
  }

  const follow = tx(el("button", { type: "button", class: "secondary compact follow", hidden: true }),
    "review.transcript.follow");
  const hintId = `${id}-hint`;
  const element = el("section", { class: "transcript-box", "aria-labelledby": `${id}-title` },
    tx(el("h3", { id: `${id}-title` }), "answer.transcript"),
    interactive ? tx(el("p", { class: "hint", id: hintId }), "review.transcript.hint") : null,
    el("div", { class: "words-wrap" }, box, follow));
  if (interactive) box.setAttribute("aria-describedby", hintId);

  let current = -1;
  let userScrolledAt = 0;
  let ownScrollTop = null;

  const following = () => Date.now() - userScrolledAt > RESUME_AFTER_MS;

  function wordIndex(node) {
    const span = node?.closest?.(".word");
    return span && box.contains(span) ? Number(span.dataset.i) : -1;
  }

  function pick(index) {
    if (index < 0 || !interactive) return;
    userScrolledAt = 0;
    follow.hidden = true;
    setTabStop(index);
    onSeek(list[index].s);
  }

  function setTabStop(index) {
    for (const span of box.querySelectorAll('.word[tabindex="0"]')) span.tabIndex = -1;
    spans[index].tabIndex = 0;
  }

  if (interactive) {
    box.addEventListener("click", (event) => {
      const index = wordIndex(event.target);
      if (index < 0 || String(window.getSelection() ?? "")) return;  // selecting text is not a seek
      spans[index].focus({ preventScroll: true });
      pick(index);
    });
    box.addEventListener("keydown", (event) => {
      const index = wordIndex(event.target);
      if (index < 0) return;
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: spans.length - 1 };
      if (event.key === "Enter" || event.key === " ") {
        pick(index);
      } else if (event.key in moves) {
        const next = Math.max(0, Math.min(spans.length - 1, moves[event.key]));
        setTabStop(next);
        spans[next].focus();
      } else {
        return;
      }
      event.preventDefault();
    });
  }
  // A scroll we did not cause is the reader's: stop following for a while.
  box.addEventListener("scroll", () => {
    if (ownScrollTop !== null && Math.abs(box.scrollTop - ownScrollTop) <= 2) return;
    ownScrollTop = null;
    userScrolledAt = Date.now();
    follow.hidden = current < 0 || inView(spans[current]);
  }, { passive: true });
  follow.addEventListener("click", () => {
    userScrolledAt = 0;
    follow.hidden = true;
    keepInView(true);
    if (current >= 0 && interactive) {
      setTabStop(current);
      spans[current].focus({ preventScroll: true });
    }
  });

  function inView(span, margin = 0) {
    const top = span.offsetTop;
    const bottom = top + span.offsetHeight;
    return top >= box.scrollTop + margin && bottom <= box.scrollTop + box.clientHeight - margin;
  }

  function keepInView(force = false) {
    if (current < 0 || box.scrollHeight <= box.clientHeight) return;
    const span = spans[current];
    if (!force && !following()) {
      follow.hidden = inView(span);
      return;
    }
    follow.hidden = true;
    if (inView(span, Math.min(32, box.clientHeight / 5))) return;
    const target = Math.max(0, Math.min(box.scrollHeight - box.clientHeight, span.offsetTop - box.clientHeight / 3));
    ownScrollTop = Math.round(target);
    box.scrollTop = target;
  }

  function update(seconds) {
    if (!spans.length) return;
    const index = wordAt(list, seconds);
    if (index === current) return;
    if (current >= 0) spans[current].removeAttribute("aria-current");
    current = index;
    if (current < 0) return;
    spans[current].setAttribute("aria-current", "time");
    // The tab stop follows the spoken word, unless the reader is moving through the words.
    if (interactive && !box.contains(document.activeElement)) setTabStop(current);
    keepInView();
  }

  return { element, update };
}
