// Finding a child: search among those one may see; and, for a child one may not see, the
// outreach lookup that says whom to contact, and the contact report.
import { el, field, form, local, section } from "../lib/render.js";
import { t } from "../lib/i18n.js";
import { api } from "../lib/session.js";
import { childLabel, PICK_FIELDS } from "../lib/children.js";

const SEARCH = `query Search($q: String!) { children(first: 20, filter: { search: $q }) {
  totalCount edges { node { ${PICK_FIELDS} cases { id status } } } } }`;

function searchSection() {
  const results = el("div", { id: "search-results", "aria-live": "polite" });
  return section("find", t("search"), form({ id: "search-form", role: "search" }, [
    field("q", t("searchButton"), { type: "search", required: true, help: t("searchHelp") }),
  ], t("searchButton"), async (data) => {
    const found = (await api(SEARCH, { q: data.get("q") })).children.edges.map((e) => e.node);
    results.replaceChildren(found.length ? el("ul", { class: "plain hits" }, found.map((c) => el("li", {},
      el("a", { href: `#/child/${c.id}` }, childLabel(c)),
      ...(c.cases || []).filter((k) => k.status !== "CLOSED").map((k) => [" · ", el("a", { href: `#/case/${k.id}` }, t(k.status))]))))
      : el("p", {}, t("noHits")));
    return " ";
  }), results);
}

function reportForm(match) {
  return form({ class: "stack report", "data-ref": match.ref }, [
    field("seenAt", t("seenAt"), { type: "datetime-local", required: true }),
    field("place", t("place"), { required: true }),
    field("kind", t("kind"), { choices: ["SPOKE_WITH", "SEEN", "REPORTED_BY_OTHERS"].map((x) => [x, t(x)]) }),
    field("note", t("note"), { type: "textarea" }),
    field("callbackPhone", t("callbackPhone"), { type: "tel" }),
    el("label", { class: "check" }, el("input", { type: "checkbox", name: "willingToTalk", value: "yes" }), ` ${t("willingToTalk")}`),
  ], t("reportContact"), async (data) => {
    const input = { ref: match.ref, seenAt: local(data.get("seenAt")), place: data.get("place"), kind: data.get("kind"), willingToTalk: data.get("willingToTalk") === "yes" };
    if (data.get("note")) input.note = data.get("note");
    if (data.get("callbackPhone")) input.callbackPhone = data.get("callbackPhone");
    await api("mutation($input: ReportContactInput!) { reportContact(input: $input) { received } }", { input });
    return t("contactSent");
  });
}

function lookupSection() {
  const matches = el("div", { id: "lookup-results", "aria-live": "polite" });
  return section("lookup", t("lookup"), el("p", { class: "help" }, t("lookupHelp")), form({ id: "lookup-form" }, [
    field("givenName", t("givenName")), field("familyName", t("familyName")),
    field("birthDate", t("birthDate"), { type: "date" }), field("birthYear", t("birthYear"), { type: "number", min: 1990, max: 2030 }),
    field("dossierNumber", t("dossierNumber")), field("reason", t("lookupReason"), { type: "textarea", required: true }),
  ], t("searchButton"), async (data) => {
    const input = { reason: data.get("reason") };
    for (const name of ["givenName", "familyName", "birthDate", "dossierNumber"]) if (data.get(name)) input[name] = data.get(name);
    if (data.get("birthYear")) input.birthYear = Number(data.get("birthYear"));
    const found = (await api(`mutation($input: LookupChildInput!) { lookupChild(input: $input) {
      ref matchedOn reportedMissing responsibleMunicipality { name } onCall { label phone email hours } } }`, { input })).lookupChild;
    matches.replaceChildren(found.length ? el("ol", { class: "plain matches" }, found.map((m) => el("li", { class: "card" },
      el("strong", {}, m.responsibleMunicipality.name), m.reportedMissing ? el("span", { class: "badge" }, t("reportedMissingYes")) : null,
      el("p", {}, t("matchedOn", { fields: m.matchedOn.map((f) => t(f)).join(", ") })),
      el("ul", {}, m.onCall.map((p) => el("li", {}, `${p.label}: `, p.phone ? el("a", { href: `tel:${p.phone}` }, p.phone) : "", p.hours ? ` · ${p.hours}` : ""))),
      reportForm(m)))) : el("p", {}, t("noHits")));
    return " ";
  }), matches);
}

export async function show(main) {
  main.replaceChildren(el("h2", {}, t("search")), el("div", { class: "detail" }, searchSection(), lookupSection()));
}
