// The audit trail for auditors: every filter the API has, a child found by name, paging,
// the chain's verification, the access report and the CSV export.
import { $, el, field, loading, problem, section } from "../lib/render.js";
import { has, t, when } from "../lib/i18n.js";
import { api, latest, session } from "../lib/session.js";

const LOG = `query Log($filter: AuditFilterInput, $after: String) { auditLog(first: 50, after: $after, filter: $filter) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { seq at kind action organisationId sub purpose childId disclosed withheld flags legalBases { category basis } } } } }`;
const KINDS = ["READ", "MUTATION", "DELIVERY", "DENIED", "EMERGENCY", "AUDIT", "RETENTION", "LOOKUP"];
const FLAGS = ["EMERGENCY", "ENFORCEMENT", "OFF_HOURS", "BULK", "ENUMERATION"];
const none = [["", t("none")]];

function filterOf(data) {
  const f = {};
  for (const name of ["childName", "childId", "organisation", "sub", "purpose", "kind", "flag"]) {
    const value = String(data.get(name) || "").trim();
    if (value) f[name] = value;
  }
  if (data.get("from")) f.from = new Date(`${data.get("from")}T00:00:00`).toISOString();
  if (data.get("to")) f.to = new Date(`${data.get("to")}T23:59:59`).toISOString();
  return f;
}

const bases = (n) => [...new Set(n.legalBases.map((b) => b.basis))].join(", ");

function rows(entries) {
  return entries.map(({ node: n }) => el("tr", {},
    el("td", {}, n.seq), el("td", {}, when(n.at)), el("td", {}, [n.organisationId, n.sub].filter(Boolean).join(" · ")),
    el("td", {}, `${t(n.kind)}: ${has(n.action) ? t(n.action) : n.action}`), el("td", {}, n.disclosed.map((c) => t(c)).join(", ")),
    el("td", {}, bases(n)), el("td", {}, [n.purpose && t(n.purpose), ...n.flags.map((f) => t(f))].filter(Boolean).join(", "))));
}

export async function show(main) {
  const organisations = (await api("{ organisations { id name } }")).organisations;
  const status = el("p", { id: "a-status", role: "status", "aria-live": "polite" });
  const results = el("div", { id: "audit-results" });
  const filters = el("form", { class: "card filters", id: "audit-filter" },
    field("childName", t("childSearch"), { type: "search" }),
    field("childId", t("childSearch").replace(/\(.*\)/, "(id)")),
    field("organisation", t("organisation"), { choices: [...none, ...organisations.map((o) => [o.id, o.name])] }),
    field("sub", t("person")),
    field("purpose", t("purpose"), { choices: [...none, ["protection", t("protection")], ["enforcement", t("enforcement")]] }),
    field("kind", t("kind"), { choices: [...none, ...KINDS.map((k) => [k, t(k)])] }),
    field("flag", t("flag"), { choices: [...none, ...FLAGS.map((k) => [k, t(k)])] }),
    field("from", t("from"), { type: "date" }), field("to", t("to"), { type: "date" }),
    el("div", { class: "row-actions" },
      el("button", { type: "submit" }, t("filter")),
      el("button", { type: "button", id: "a-export", class: "secondary" }, t("exportCsv")),
      el("button", { type: "button", id: "a-verify", class: "secondary" }, t("verify")),
      el("button", { type: "button", id: "a-report", class: "secondary" }, t("accessReport"))));
  main.replaceChildren(el("h2", {}, t("audit")), filters, status, results);

  let shown = 0;
  const ask = latest();
  const load = async (after = null) => {
    const filter = filterOf(new FormData(filters));
    if (!after) { results.replaceChildren(loading()); shown = 0; }
    let data;
    try { data = await ask(LOG, { filter, after }); } catch (error) { results.replaceChildren(problem(error)); return; }
    if (!data) return;
    const page = data.auditLog;
    shown += page.edges.length;
    let body = $("#audit-rows", main);
    if (!after) {
      body = el("tbody", { id: "audit-rows" });
      results.replaceChildren(el("p", { id: "a-count" }), el("div", { class: "scroll" }, el("table", { class: "log" },
        el("caption", { class: "sr-only" }, t("audit")),
        el("thead", {}, el("tr", {}, ["#", "when", "who", "what", "categories", "basis", "flags"].map((h) => el("th", { scope: "col" }, h === "#" ? h : t(h))))), body)),
      el("p", { id: "a-more" }));
    }
    body.append(...rows(page.edges));
    $("#a-count", main).textContent = t("entries", { shown, n: page.totalCount });
    $("#a-more", main).replaceChildren(page.pageInfo.hasNextPage ? el("button", { type: "button", class: "secondary", onclick: () => load(page.pageInfo.endCursor) }, t("more")) : "");
  };
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  $("#a-verify", main).addEventListener("click", async () => {
    try {
      const v = (await api("{ verifyAuditChain { ok checked firstBrokenId problem } }")).verifyAuditChain;
      status.textContent = v.ok ? t("chainOk", { checked: v.checked }) : t("chainBroken", { seq: v.firstBrokenId, problem: v.problem });
    } catch (error) { status.textContent = error.words; }
  });
  $("#a-report", main).addEventListener("click", async () => {
    const id = String(new FormData(filters).get("childId") || "").trim() || (await childIdByName(filterOf(new FormData(filters))));
    if (!id) { status.textContent = t("required", { field: t("childSearch") }); return; }
    try {
      const report = (await api(`query($id: ID!) { accessReport(childId: $id) { organisationId sub purpose categories accesses firstAt lastAt flags } }`, { id })).accessReport;
      results.replaceChildren(section("access-report", t("accessReport"), el("div", { class: "scroll" }, el("table", { class: "log", id: "access-report-table" },
        el("thead", {}, el("tr", {}, ["who", "categories", "accesses", "from", "to", "flags"].map((h) => el("th", { scope: "col" }, t(h))))),
        el("tbody", {}, report.map((r) => el("tr", {}, el("td", {}, [r.organisationId, r.sub].filter(Boolean).join(" · ")),
          el("td", {}, r.categories.map((c) => t(c)).join(", ")), el("td", {}, r.accesses), el("td", {}, when(r.firstAt)),
          el("td", {}, when(r.lastAt)), el("td", {}, r.flags.map((f) => t(f)).join(", ")))))))));
    } catch (error) { results.replaceChildren(problem(error)); }
  });
  $("#a-export", main).addEventListener("click", async () => {
    const params = new URLSearchParams(Object.entries(filterOf(new FormData(filters))).filter(([k]) => k !== "childName"));
    const response = await fetch(`/audit/export.csv?${params}`, { headers: { authorization: `Bearer ${session.token}` } });
    if (!response.ok) { status.textContent = `HTTP ${response.status}`; return; }
    const url = URL.createObjectURL(await response.blob());
    el("a", { href: url, download: "granskning.csv" }).click();
    URL.revokeObjectURL(url);
  });
  await load();
}

// the child an access report is for, when the auditor gave a name: the newest entry's
async function childIdByName(filter) {
  if (!filter.childName) return null;
  const page = (await api(LOG, { filter: { childName: filter.childName } })).auditLog;
  const found = page.edges.map((e) => e.node.childId).find(Boolean);
  return found || null;
}
