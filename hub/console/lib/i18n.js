// Swedish first, English available: t(key, vars) in the chosen language.
import sv from "./words.sv.js";
import en from "./words.en.js";

const WORDS = { sv, en };
export let LANG = localStorage.getItem("hub.lang") === "en" ? "en" : "sv";

export function t(key, vars = {}) {
  const text = WORDS[LANG][key] ?? WORDS.sv[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : ""));
}

export const has = (key) => key in WORDS[LANG];

export function setLang(lang) {
  LANG = lang === "en" ? "en" : "sv";
  localStorage.setItem("hub.lang", LANG);
  document.documentElement.lang = LANG;
  document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
  document.querySelectorAll("[data-lang]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === LANG)));
}

const locale = () => (LANG === "sv" ? "sv-SE" : "en-GB");
export const when = (iso) => (iso ? new Date(iso).toLocaleString(locale(), { dateStyle: "short", timeStyle: "short" }) : t("none"));
export const day = (iso) => (iso ? new Date(iso).toLocaleDateString(locale()) : t("none"));
// "SO" -> "Somalia", "ar" -> "arabiska": the browser's own names for countries and languages
export function country(code) {
  try { return code ? new Intl.DisplayNames([locale()], { type: "region" }).of(code) : null; } catch { return code; }
}
export function language(code) {
  try { return code ? new Intl.DisplayNames([locale()], { type: "language" }).of(code) : null; } catch { return code; }
}
export function timeLeft(iso) {
  const minutes = Math.max(0, Math.round((new Date(iso) - Date.now()) / 60000));
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}
