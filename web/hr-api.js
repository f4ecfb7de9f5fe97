// The HR pages' only way to talk to the server: JSON in, JSON out, one error type.

export class ApiError extends Error {
  // status 0 means the server could not be reached; `field` names the input a 400 is about;
  // `retryAfter` (seconds) comes with a 429.
  constructor(status, code, message, field = null, retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

// Where the login page should send the user back to after signing in.
export function goToLogin() {
  const next = location.pathname + location.hash;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

// api("/api/jobs") or api("/api/jobs", { method: "POST", body: {...} }).
// A 401 sends the user to the login page (unless `redirectOn401` is false) and rejects with
// an ApiError whose code is "redirecting", which callers need not report.
// `raw` sends anything fetch takes (a File) as it is, with `contentType`. A failure's ApiError
// keeps the response's whole error object in `details` (an import's per-row problems).
export async function api(path, { method = "GET", body, raw, contentType, redirectOn401 = true } = {}) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  } else if (raw !== undefined) {
    if (contentType) init.headers["Content-Type"] = contentType;
    init.body = raw;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, "network", String(error));
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.status === 401 && redirectOn401) {
    goToLogin();
    throw new ApiError(401, "redirecting", "please log in");
  }
  if (!response.ok) {
    const info = data?.error ?? {};
    const error = new ApiError(response.status, info.code || "http", info.message || response.statusText,
      info.field ?? null, Number.isFinite(info.retry_after) ? info.retry_after : null);
    error.details = info;
    throw error;
  }
  return data ?? {};
}
