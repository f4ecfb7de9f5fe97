// Translation catalogs: one JSON file per page and language, loaded on demand.
// Elements carry data-i18n="key" (text) or data-i18n-attr="attr:key;attr:key" (attributes).

export const LANGUAGES = { en: "English", zh: "简体中文" };
const STORAGE_KEY = "intervox.lang";

let catalog = {};
let current = "en";

export function preferredLanguage(fallback) {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && saved in LANGUAGES) return saved;
  if (fallback && fallback in LANGUAGES) return fallback;
  return (navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function language() {
  return current;
}

export async function setLanguage(page, lang, { remember = true } = {}) {
  if (!(lang in LANGUAGES)) lang = "en";
  const response = await fetch(`/static/i18n/${page}.${lang}.json`, { cache: "no-cache" });
  if (!response.ok) throw new Error(`missing catalog ${page}.${lang}`);
  catalog = await response.json();
  current = lang;
  if (remember) localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  translate(document);
}

// t("key", {n: 3}) → the catalog text with {n} replaced; the key itself if it is missing.
export function t(key, params = {}) {
  const text = catalog[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export function translate(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n, el.dataset.i18nParams ? JSON.parse(el.dataset.i18nParams) : {});
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
  if (document.body.dataset.titleKey) document.title = t(document.body.dataset.titleKey);
}

// A <select> that switches the page language; `onChange` re-renders dynamic text.
export function languagePicker(select, page, onChange) {
  select.replaceChildren(
    ...Object.entries(LANGUAGES).map(([code, name]) => new Option(name, code, false, code === current)),
  );
  select.addEventListener("change", async () => {
    await setLanguage(page, select.value);
    onChange?.();
  });
}
