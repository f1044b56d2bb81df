// One child: the signalement and photo (kept before anything happens, printable for the
// police), risk with its history, placements, god man, consents, handovers, cases.
// Beside what one writes: who will read it ("Syns för").
import { el, facts, field, form, loading, problem, section } from "../lib/render.js";
import { country, day, language, t, when } from "../lib/i18n.js";
import { api, kind, photo } from "../lib/session.js";
import { childName } from "../lib/children.js";
import { withheldList } from "../lib/withheld.js";

const DESCRIPTION = "heightCm build hair eyes marks clothing";
const CHILD = `query Child($id: ID!) { child(id: $id) {
  id givenName familyName birthDate sex nationality languages dossierNumber placementAddress
  health riskLevel riskIndicators riskAssessment
  description { ${DESCRIPTION} photoUrl }
  responsibleMunicipality { id name contactPoints { label phone onCall } } residence { name } guardian { name }
  withheld { category reason }
  placements { placementAddress from to residence { name } }
  riskAssessments { level indicators assessment assessedAt assessedBy { name organisation { name } } }
  consents { id categories effectiveCategories validUntil grantedAt revokedAt active recipient { id name } }
  cases { id status openedAt }
  descriptionHistory { description { ${DESCRIPTION} } replacedAt replacedBy { name } }
  contactReports { seenAt place kind note callbackPhone willingToTalk reportedBy { name organisation { name } } }
  transfers { id status reason requestedAt from { name } to { name } } }
  organisations { id name kind } }`;
const WRITERS = ["MUNICIPALITY", "RESIDENCE", "GUARDIANSHIP"];
const CONSENTABLE = ["IDENTITY", "DESCRIPTION", "CONTACTS", "SIGHTINGS", "CASE_STATUS"];

// "Syns för: polisen (medan försvunnen), …": who may read this category of this child now
async function audience(childId, category) {
  try {
    const found = (await api("query($id: ID!, $c: DataCategory!) { audience(childId: $id, category: $c) { organisation { name } condition } }", { id: childId, c: category })).audience;
    const names = [...new Set(found.map((a) => a.organisation.name))];
    return el("p", { class: "audience", "data-category": category }, names.length ? t("audienceLabel", { who: names.join(", ") }) : t("audienceNone"));
  } catch { return null; }
}

function sheet(child, photoUrl) {
  const d = child.description || {};
  const onCall = child.responsibleMunicipality ? child.responsibleMunicipality.contactPoints.filter((p) => p.onCall) : [];
  return el("section", { class: "card sheet", id: "sheet", "aria-labelledby": "sheet-h" },
    el("h3", { id: "sheet-h" }, t("sheetTitle")),
    photoUrl ? el("img", { class: "photo", src: photoUrl, alt: `${t("photo")}: ${childName(child)}` }) : null,
    facts([["givenName", child.givenName], ["familyName", child.familyName], ["birthDate", child.birthDate && day(child.birthDate)],
      ["sex", child.sex && t(child.sex)], ["nationality", child.nationality && country(child.nationality)],
      ["languages", child.languages && child.languages.map(language)], ["heightCm", d.heightCm], ["build", d.build],
      ["hair", d.hair], ["eyes", d.eyes], ["marks", d.marks], ["clothing", d.clothing],
      ["residence", child.residence && child.residence.name], ["placementAddress", child.placementAddress],
      ["responsibleMunicipality", child.responsibleMunicipality && `${child.responsibleMunicipality.name}${onCall.length ? ` – ${onCall.map((p) => `${p.label} ${p.phone || ""}`).join(", ")}` : ""}`]]),
    el("button", { type: "button", class: "no-print", onclick: () => window.print() }, t("printSheet")));
}

function descriptionForm(child, seenBy, reload) {
  const d = child.description || {};
  const names = DESCRIPTION.split(" ");
  return section("edit-description", t("editDescription"), seenBy, form({ id: "description-form" }, [
    ...names.map((name) => field(name, t(name), { type: name === "heightCm" ? "number" : "text", value: d[name] ?? "" })),
    field("photo", t("photoFile"), { type: "file", accept: "image/jpeg,image/png" }),
  ], t("submit"), async (data) => {
    const input = { childId: child.id };
    for (const name of names) {
      const value = String(data.get(name) ?? "").trim();
      const before = d[name] === null || d[name] === undefined ? "" : String(d[name]);
      if (value !== before) input[name] = value === "" ? null : name === "heightCm" ? Number(value) : value;
    }
    const file = data.get("photo");
    if (file && file.size) input.photo = { contentType: file.type, data: await base64(file) };
    await api("mutation($input: UpdateDescriptionInput!) { updateDescription(input: $input) { child { id } } }", { input });
    reload();
  }));
}

function base64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",")[1]);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function riskForm(child, seenBy, reload) {
  const history = child.riskAssessments || [];
  return section("assess-risk", t("assessRisk"), seenBy, form({ id: "risk-form" }, [
    field("riskLevel", t("riskLevel"), { choices: ["LOW", "ELEVATED", "HIGH"].map((x) => [x, t(x)]), value: child.riskLevel }),
    field("indicators", t("riskIndicators"), { type: "textarea", help: t("indicatorsHelp"), value: (child.riskIndicators || []).join("\n") }),
    field("assessment", t("riskAssessment"), { type: "textarea", value: child.riskAssessment || "" }),
  ], t("submit"), async (data) => {
    const indicators = String(data.get("indicators") || "").split("\n").map((x) => x.trim()).filter(Boolean);
    await api("mutation($input: RecordRiskAssessmentInput!) { recordRiskAssessment(input: $input) { child { id } } }",
      { input: { childId: child.id, riskLevel: data.get("riskLevel"), indicators, assessment: data.get("assessment") || null } });
    reload();
  }), history.length ? el("div", {}, el("h4", {}, t("riskHistory")), el("ul", { class: "plain", id: "risk-history" }, history.map((r) =>
    el("li", {}, `${when(r.assessedAt)}: ${t(r.level)}${r.indicators.length ? ` – ${r.indicators.join(", ")}` : ""}${r.assessment ? ` – ${r.assessment}` : ""} (${r.assessedBy.name || ""} ${r.assessedBy.organisation ? r.assessedBy.organisation.name : ""})`)))) : null);
}

function consentSection(child, organisations, reload) {
  const consents = child.consents || [];
  const list = consents.length ? el("ul", { class: "plain", id: "consents" }, consents.map((x) => el("li", { "data-consent": x.id },
    el("strong", {}, x.recipient ? x.recipient.name : ""), `: ${x.categories.map((c) => t(c)).join(", ")} – `,
    x.active ? t("active") : t("revoked", { when: when(x.revokedAt) }),
    x.active && x.effectiveCategories.length !== x.categories.length ? ` (${t("effective")}: ${x.effectiveCategories.map((c) => t(c)).join(", ")})` : "",
    x.active ? el("button", { type: "button", class: "secondary", onclick: async () => {
      await api("mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { __typename } }", { input: { consentId: x.id } });
      reload();
    } }, t("revokeConsent")) : null))) : el("p", {}, t("none"));
  const may = kind() === "GUARDIANSHIP" || kind() === "MUNICIPALITY";
  const recipients = organisations.filter((o) => ["NGO", "RESIDENCE", "MUNICIPALITY"].includes(o.kind));
  const boxes = el("fieldset", {}, el("legend", {}, t("categories")), CONSENTABLE.map((c) => el("label", { class: "check" },
    el("input", { type: "checkbox", name: "categories", value: c }), ` ${t(c)}`)));
  return section("consent", t("consents"), list, may ? form({ id: "consent-form" }, [
    field("recipient", t("recipient"), { choices: recipients.map((o) => [o.id, o.name]) }), boxes,
    field("validUntil", t("validUntil"), { type: "date" }),
  ], t("grantConsent"), async (data) => {
    const input = { childId: child.id, recipientOrganisationId: data.get("recipient"), categories: data.getAll("categories") };
    if (data.get("validUntil")) input.validUntil = new Date(`${data.get("validUntil")}T23:59:59`).toISOString();
    await api("mutation($input: GrantConsentInput!) { grantConsent(input: $input) { __typename } }", { input });
    reload();
  }) : null);
}

function placementsSection(child, organisations, reload) {
  const municipalities = organisations.filter((o) => o.kind === "MUNICIPALITY");
  return section("placements", t("placements"),
    facts([["responsibleMunicipality", child.responsibleMunicipality && child.responsibleMunicipality.name],
      ["guardian", child.guardian && child.guardian.name]]),
    child.placements ? el("ul", { class: "plain" }, child.placements.map((p) => el("li", {},
      `${day(p.from)}–${p.to ? day(p.to) : ""}: ${p.residence ? p.residence.name : ""} ${p.placementAddress || ""}`))) : null,
    child.transfers && child.transfers.length ? el("ul", { class: "plain" }, child.transfers.map((x) => el("li", {},
      `${t("transfers")}: ${x.from ? x.from.name : ""} → ${x.to ? x.to.name : ""} (${t(x.status)}, ${when(x.requestedAt)})`))) : null,
    kind() === "MUNICIPALITY" && child.placements ? form({ id: "transfer-form" }, [
      field("to", t("toMunicipality"), { choices: municipalities.map((o) => [o.id, o.name]) }),
      field("reason", t("reason"), { type: "textarea", required: true }),
    ], t("requestTransfer"), async (data) => {
      await api("mutation($input: RequestTransferInput!) { requestTransfer(input: $input) { __typename } }",
        { input: { childId: child.id, toMunicipalityId: data.get("to"), reason: data.get("reason") } });
      reload();
    }) : null);
}

export async function show(main, id) {
  main.replaceChildren(loading());
  let urls = [];
  const draw = async () => {
    let data;
    try { data = await api(CHILD, { id }); } catch (error) { main.replaceChildren(problem(error)); return; }
    const child = data.child;
    if (!child) { main.replaceChildren(el("p", { role: "alert" }, t("notFound"))); return; }
    urls.forEach((u) => URL.revokeObjectURL(u));
    const photoUrl = child.description && child.description.photoUrl ? await photo(child.description.photoUrl) : null;
    urls = photoUrl ? [photoUrl] : [];
    // the audience answers only those who write the child's data: it decides the forms
    const describedTo = WRITERS.includes(kind()) ? await audience(id, "DESCRIPTION") : null;
    const riskTo = kind() === "MUNICIPALITY" ? await audience(id, "RISK") : null;
    main.replaceChildren(
      el("h2", { id: "child-title", tabindex: "-1" }, t("childTitle", { name: childName(child) })),
      el("div", { class: "detail" },
        sheet(child, photoUrl),
        describedTo ? descriptionForm(child, describedTo, draw) : null,
        riskTo ? riskForm(child, riskTo, draw) : null,
        placementsSection(child, data.organisations, draw),
        child.consents ? consentSection(child, data.organisations, draw) : null,
        child.cases && child.cases.length ? section("child-cases", t("cases"), el("ul", { class: "plain" }, child.cases.map((k) =>
          el("li", {}, el("a", { href: `#/case/${k.id}` }, `${t(k.status)} – ${when(k.openedAt)}`))))) : null,
        child.contactReports && child.contactReports.length ? section("contact-reports", t("contactReports"), el("ul", { class: "plain" },
          child.contactReports.map((r) => el("li", {}, `${when(r.seenAt)} – ${r.place} (${t(r.kind)})${r.note ? ` ${r.note}` : ""} · ${r.reportedBy.organisation ? r.reportedBy.organisation.name : ""}`)))) : null,
        child.descriptionHistory && child.descriptionHistory.length ? section("history", t("descriptionHistory"), el("ul", { class: "plain" },
          child.descriptionHistory.map((v) => el("li", {}, `${when(v.replacedAt)}: ${DESCRIPTION.split(" ").map((n) => v.description[n]).filter(Boolean).join(", ")}`)))) : null,
        section("child-withheld", t("withheldTitle"), withheldList(child.withheld))));
  };
  await draw();
  const title = document.getElementById("child-title");
  if (title) title.focus();
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
