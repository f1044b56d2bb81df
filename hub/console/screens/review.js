// Emergency access to review: each grant with its reason, and the auditor's verdict.
import { el, field, form, loading, problem } from "../lib/render.js";
import { t, when } from "../lib/i18n.js";
import { api, latest } from "../lib/session.js";

const GRANTS = `query Grants($unreviewed: Boolean!) { emergencyAccessGrants(first: 50, unreviewedOnly: $unreviewed) {
  totalCount edges { node { id caseId organisationId sub category reasonKind reason reference grantedAt expiresAt
  reviewedAt verdict reviewNote reviewedBy } } } }`;

export async function show(main) {
  const list = el("div", { id: "grant-list" }, loading());
  const only = el("input", { type: "checkbox", id: "only-unreviewed", checked: true });
  // what became of the last verdict: the grant's own form leaves the list with it
  const status = el("p", { id: "review-status", role: "status", "aria-live": "polite" });
  main.replaceChildren(el("h2", {}, t("review")), el("label", { class: "check" }, only, ` ${t("unreviewed")}`), status, list);
  const ask = latest();
  const refresh = async () => {
    let data;
    try { data = await ask(GRANTS, { unreviewed: only.checked }); } catch (error) { list.replaceChildren(problem(error)); return; }
    if (!data) return;
    const grants = data.emergencyAccessGrants.edges.map((e) => e.node);
    list.replaceChildren(grants.length ? el("ul", { class: "plain" }, grants.map((g) => el("li", { class: "card", "data-grant": g.id },
      el("strong", {}, `${g.organisationId} · ${g.sub}`), ` · ${t(g.category)} · ${t("grantedAt")} ${when(g.grantedAt)} · ${t("expiresAt")} ${when(g.expiresAt)}`,
      el("p", {}, `${t(g.reasonKind)}: ${g.reason}${g.reference ? ` (${t("reference")}: ${g.reference})` : ""}`),
      g.reviewedAt ? el("p", {}, t("reviewed", { when: when(g.reviewedAt), verdict: t(g.verdict) }), g.reviewNote ? ` – ${g.reviewNote}` : "")
        : form({ class: "stack verdict" }, [
          field("verdict", t("verdict"), { choices: ["JUSTIFIED", "NOT_JUSTIFIED"].map((v) => [v, t(v)]) }),
          field("note", t("reviewNote"), { type: "textarea" }),
        ], t("submit"), async (data) => {
          await api("mutation($input: ReviewEmergencyAccessInput!) { reviewEmergencyAccess(input: $input) { grant { id } } }",
            { input: { grantId: g.id, verdict: data.get("verdict"), note: data.get("note") || null } });
          status.textContent = `${t("saved")} ${t(data.get("verdict"))}: ${g.organisationId} · ${g.sub}`;
          await refresh();
        })))) : el("p", {}, t("noGrants")));
  };
  only.addEventListener("change", refresh);
  await refresh();
}
