// The console's one render helper: el() builds elements (text is always text, never HTML),
// plus the few shapes every screen uses.
import { t } from "./i18n.js";

export const $ = (selector, root = document) => root.querySelector(selector);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) node.append(child.nodeType ? child : String(child));
  }
  return node;
}

// a labelled section of a page; `id` names its heading for screen readers
export const section = (id, title, ...body) =>
  el("section", { class: "card", "aria-labelledby": `${id}-h`, id },
    el("h3", { id: `${id}-h` }, title), ...body);

// term/value rows; rows whose value is empty are left out
export function facts(rows) {
  const shown = rows.filter(([, value]) => value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && !value.length));
  return shown.length ? el("dl", {}, shown.map(([label, value, attrs]) =>
    el("div", { class: "row", ...(attrs || {}) }, el("dt", {}, t(label)), el("dd", {}, Array.isArray(value) ? value.join(", ") : value)))) : null;
}

// a labelled input; options: type, required, value, rows, choices [[value, label]], help
let seq = 0;
export function field(name, label, options = {}) {
  const id = `f-${name}-${++seq}`;
  const help = options.help ? el("p", { class: "help", id: `${id}-help` }, options.help) : null;
  const common = { id, name, required: options.required, "aria-describedby": help ? `${id}-help` : null };
  let input;
  if (options.choices) {
    input = el("select", common, options.choices.map(([value, text]) => el("option", { value, selected: value === options.value }, text)));
  } else if (options.type === "textarea") {
    input = el("textarea", { ...common, rows: options.rows || 3 });
    input.value = options.value ?? "";
  } else {
    input = el("input", { ...common, type: options.type || "text", value: options.value ?? null, accept: options.accept, min: options.min, max: options.max, autocomplete: options.autocomplete || "off" });
  }
  return el("div", { class: "field" }, el("label", { for: id }, label), input, help);
}

// a form that disables itself while it works and says what happened, in words
export function form(attrs, children, submitLabel, onSubmit) {
  const message = el("p", { class: "message", role: "status", "aria-live": "polite" });
  const button = el("button", { type: "submit" }, submitLabel);
  const node = el("form", { class: "stack", ...attrs }, children, button, message);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.className = "message";
    message.textContent = t("saving");
    try {
      const said = await onSubmit(new FormData(node), node);
      message.className = "message ok";
      message.textContent = said || t("saved");
    } catch (error) {
      message.className = "message error";
      message.textContent = error.words || String(error.message || error);
    } finally {
      button.disabled = false;
    }
  });
  return node;
}

export const loading = () => el("p", { class: "loading", role: "status" }, t("loading"));
export const problem = (error) => el("p", { class: "error", role: "alert" }, error.words || String(error.message || error));
export const local = (value) => (value ? new Date(value).toISOString() : null);
