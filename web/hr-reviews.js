// What reviewers said about an answer: each one's rating (1–5) and note. HR and admins see them
// on the interview and on the review page.
import { el, tx } from "./hr-dom.js";
import { timeElement } from "./hr-format.js";

// reviews: [{reviewer, rating, note, updated_at}]; null when there are none.
export function reviewsList(reviews, id) {
  if (!reviews?.length) return null;
  return el("section", { class: "team-reviews", "aria-labelledby": `${id}-title` },
    tx(el("h4", { id: `${id}-title` }), "reviews.title"),
    el("ul", { class: "review-list" }, reviews.map(reviewItem)));
}

function reviewItem(review) {
  return el("li", { class: "review-item" },
    el("p", { class: "review-head" },
      el("span", { class: "reviewer", text: review.reviewer }),
      tx(el("span", { class: "review-rating" }), "reviews.rating", { rating: review.rating }),
      el("span", { class: "review-when" }, timeElement(review.updated_at))),
    review.note ? el("p", { class: "review-note", text: review.note }) : null);
}
