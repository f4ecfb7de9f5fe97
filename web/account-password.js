// Choosing a password, shared by the activation page and the account page: the same rules as the
// server (signaling/auth.py password_problem), checked before sending, and the server's messages
// translated. Length is what counts: at least 12 characters, anything goes.

export const MIN_CHARS = 12;

const SERVER_MESSAGES = [
  [/^is required$/, "invalid.required"],
  [/^must be at least (\d+) characters$/, "password.tooShort"],
  [/^must be at most (\d+) characters$/, "invalid.maxChars"],
  [/^must not be your e-mail address$/, "password.isEmail"],
  [/^must not repeat the same few characters$/, "password.repetitive"],
  [/^must differ from the current password$/, "password.unchanged"],
];

// The server's message for a password field as { key, params } (or { text } if unknown).
export function passwordMessage(message) {
  for (const [pattern, key] of SERVER_MESSAGES) {
    const match = pattern.exec(message ?? "");
    if (match) return { key, params: { min: match[1] ?? MIN_CHARS, max: match[1] ?? "" } };
  }
  return { text: message };
}

// Problems with a new password and its repetition, as [input, message] pairs (empty: fine).
export function newPasswordProblems(input, repeat, email) {
  const value = input.value;
  const problems = [];
  const local = (email ?? "").split("@")[0].toLowerCase();
  if (!value) problems.push([input, { key: "invalid.required" }]);
  else if (value.length < MIN_CHARS) problems.push([input, { key: "password.tooShort", params: { min: MIN_CHARS } }]);
  else if ([email?.toLowerCase(), local].includes(value.trim().toLowerCase())) problems.push([input, { key: "password.isEmail" }]);
  else if (new Set(value).size < 4) problems.push([input, { key: "password.repetitive" }]);
  if (value && repeat.value !== value) problems.push([repeat, { key: "password.mismatch" }]);
  return problems;
}
