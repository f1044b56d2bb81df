// What is not shared with the caller, each with its reason in the reader's language.
import { el } from "./render.js";
import { t } from "./i18n.js";
import { session } from "./session.js";

const REASONS = [
  [/consent/i, "withheldConsent"], [/while the child is missing/i, "withheldState"],
  [/while the case is open/i, "withheldOpen"], [/when there is a case/i, "withheldCase"],
  [/emergency access/i, "withheldEmergency"], [/enforcement purpose/i, "withheldPurpose"],
];

export function withheldSentence(item) {
  const kind = session.me ? t(session.me.organisation.kind) : "";
  const found = REASONS.find(([pattern]) => pattern.test(item.reason));
  const basis = item.reason.match(/\(([^)]+)\)/);
  const sentence = t(found ? found[1] : "withheldSentence", { category: t(item.category), kind });
  return basis ? `${sentence} (${basis[1]})` : sentence;
}

export function withheldList(items) {
  const unique = items.filter((w, i) => items.findIndex((x) => x.category === w.category) === i);
  return unique.length
    ? el("ul", { id: "withheld" }, unique.map((w) => el("li", { "data-category": w.category }, withheldSentence(w))))
    : el("p", {}, t("none"));
}
