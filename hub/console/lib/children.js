// How a child is named on screen, and a picker that tells two children of one name apart.
import { el } from "./render.js";
import { day, t } from "./i18n.js";

export const childName = (child) =>
  (child && child.givenName ? `${child.givenName} ${child.familyName || ""}`.trim() : t("withheldName"));

// "Abdi Jama · f. 2009-03-02 · 1234-567": what tells namesakes apart, where it may be read
export function childLabel(child) {
  const parts = [childName(child)];
  if (child.birthDate) parts.push(`${t("birthDate")} ${day(child.birthDate)}`);
  if (child.dossierNumber) parts.push(`${t("dossierNumber")} ${child.dossierNumber}`);
  return parts.join(" · ");
}

export const PICK_FIELDS = "id givenName familyName birthDate dossierNumber";

// a select of children with a filter box above it
export function childPicker(id, label, children) {
  const select = el("select", { id, name: "childId", required: true },
    children.map((c) => el("option", { value: c.id }, childLabel(c))));
  const filter = el("input", { id: `${id}-filter`, type: "search", autocomplete: "off" });
  filter.addEventListener("input", () => {
    const words = filter.value.trim().toLowerCase();
    for (const option of select.options) option.hidden = Boolean(words) && !option.textContent.toLowerCase().includes(words);
    const first = [...select.options].find((o) => !o.hidden);
    if (first) select.value = first.value;
  });
  return el("div", { class: "field" },
    el("label", { for: `${id}-filter` }, `${t("search")} (${label.toLowerCase()})`), filter,
    el("label", { for: id }, label), select);
}
