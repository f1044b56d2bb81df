// One case, grouped as the plan thinks: status and timeline; the child; risk; contacts and
// places; whom to call; tasks; acknowledgements; sightings; what is withheld and why.
// Live events refresh the read-only sections only: a half-typed form is never wiped.
import { $, el, facts, field, form, loading, local, problem, section } from "../lib/render.js";
import { country, day, language, t, timeLeft, when } from "../lib/i18n.js";
import { api, debounced, kind, latest, listen, photo, session } from "../lib/session.js";
import { childName } from "../lib/children.js";
import { withheldList } from "../lib/withheld.js";

const PERSON = "name organisation { name }";
const DETAIL = `query CaseDetail($id: ID!) { case(id: $id) {
  id version status openedAt openedBy { name } policeReportNumber reportedMissingAt
  registeredAvvikenAt registeredReturnedAt foundAt foundPlace closedAt outcome lastSeenAt
  lastSeenPlace circumstances returnInterview allowedActions
  alert { reference issuedAt cancelledAt cancelReason }
  policeAssessment { grade rationale assessedAt assessedBy { ${PERSON} } }
  withheld { category reason } emergencyAccess { category expiresAt }
  whomToCall { role organisation { name } person contactPoints { label phone email hours onCall } }
  tasks { id title status dueAt overdue completedAt closedReason personal responsible { name } }
  acknowledgements { event { cursor type occurredAt } acknowledged { organisation { name } at } pending { id name } }
  sightings(first: 100) { id seenAt place note kind callbackPhone reportedBy { ${PERSON} } }
  events { cursor type occurredAt reason needsAcknowledgement acknowledgedByYourOrganisation by { ${PERSON} } actor { id name } }
  child { id givenName familyName birthDate sex nationality languages dossierNumber
    placementAddress asylumStatus health riskLevel riskIndicators riskAssessment
    description { heightCm build hair eyes marks clothing photoUrl }
    contacts { kind value note } responsibleMunicipality { name } residence { name }
    guardian { name } withheld { category reason } } } }`;

// the fields each lifecycle action asks for: [name, type, required, choices]
const ACTION_FIELDS = {
  reportMissingToPolice: [["policeReportNumber", "text", true]],
  registerAvviken: [],
  addSighting: [["seenAt", "datetime-local", true], ["place", "text", true], ["kind", ["SEEN", "SPOKE_WITH", "REPORTED_BY_OTHERS"], true], ["note", "textarea"], ["callbackPhone", "tel"]],
  reportFound: [["foundAt", "datetime-local", true], ["place", "text", true]],
  recordReturnInterview: [["summary", "textarea", true]],
  closeCase: [["outcome", ["RETURNED", "FOUND_ELSEWHERE", "LEFT_SWEDEN", "TURNED_18", "UNRESOLVED"], true], ["reason", "textarea"]],
  recordPoliceAssessment: [["grade", ["LOW", "MEDIUM", "HIGH"], true], ["rationale", "textarea", true]],
  recordAlert: [["reference", "text", true], ["issuedAt", "datetime-local", true]],
  cancelAlert: [["cancelledAt", "datetime-local", true], ["reason", "textarea"]],
  registerReturn: [],
};
// which category each shown fact belongs to, to mark what emergency access opened
const CATEGORY = {
  givenName: "IDENTITY", familyName: "IDENTITY", birthDate: "IDENTITY", sex: "IDENTITY", nationality: "IDENTITY",
  languages: "IDENTITY", dossierNumber: "IDENTITY", heightCm: "DESCRIPTION", build: "DESCRIPTION", hair: "DESCRIPTION",
  eyes: "DESCRIPTION", marks: "DESCRIPTION", clothing: "DESCRIPTION", health: "HEALTH", riskLevel: "RISK",
  riskIndicators: "RISK", riskAssessment: "RISK", placementAddress: "PLACEMENT", residence: "PLACEMENT",
  asylumStatus: "ASYLUM", phones: "CONTACTS", returnInterview: "RETURN_INTERVIEW",
};
const by = (person) => (person ? [person.name, person.organisation && person.organisation.name].filter(Boolean).join(", ") : null);

function marked(rows, opened) {
  return rows.map(([label, value]) => {
    const until = opened.get(CATEGORY[label]);
    return until && value !== null && value !== undefined
      ? [label, el("span", {}, value, " ", el("span", { class: "opened" }, t("emergencyOpen", { left: timeLeft(until) })))]
      : [label, value];
  });
}

function statusSection(c) {
  const alert = c.alert ? `${c.alert.reference} (${when(c.alert.issuedAt)})${c.alert.cancelledAt ? `, ${t("alertCancelled", { when: when(c.alert.cancelledAt) })}` : ""}` : null;
  return section("status", t("statusAndTimeline"),
    facts([["status", c.status && el("strong", { class: `state ${c.status}` }, t(c.status))],
      ["openedAt", c.openedAt && when(c.openedAt)], ["openedBy", c.openedBy && c.openedBy.name],
      ["lastSeenAt", c.lastSeenAt && when(c.lastSeenAt)], ["lastSeenPlace", c.lastSeenPlace],
      ["circumstances", c.circumstances], ["reportedMissingAt", c.reportedMissingAt && when(c.reportedMissingAt)],
      ["policeReportNumber", c.policeReportNumber], ["alert", alert],
      ["registeredAvvikenAt", c.registeredAvvikenAt && when(c.registeredAvvikenAt)],
      ["registeredReturnedAt", c.registeredReturnedAt && when(c.registeredReturnedAt)],
      ["foundAt", c.foundAt && when(c.foundAt)], ["foundPlace", c.foundPlace],
      ["returnInterview", c.returnInterview], ["closedAt", c.closedAt && when(c.closedAt)],
      ["outcome", c.outcome && t(c.outcome)]]),
    c.events && c.events.length ? el("div", {}, el("h4", {}, t("timeline")), el("ol", { class: "timeline" },
      c.events.slice().reverse().map((e) => el("li", {}, el("time", {}, when(e.occurredAt)), " ", el("strong", {}, t(e.type)),
        by(e.by) || (e.actor && e.actor.name) ? ` – ${by(e.by) || e.actor.name}` : "", e.reason ? ` (${e.reason})` : "")))) : null);
}

function childSection(child, opened, photoUrl) {
  const d = child.description || {};
  return section("child", t("theChild"),
    opened.size ? el("ul", { class: "plain", id: "opened" }, [...opened].map(([category, until]) =>
      el("li", {}, el("span", { class: "opened" }, `${t(category)}: ${t("emergencyOpen", { left: timeLeft(until) })}`)))) : null,
    photoUrl ? el("img", { class: "photo", src: photoUrl, alt: `${t("photo")}: ${childName(child)}` }) : null,
    facts(marked([["givenName", child.givenName], ["familyName", child.familyName],
      ["birthDate", child.birthDate && day(child.birthDate)], ["sex", child.sex && t(child.sex)],
      ["nationality", child.nationality && country(child.nationality)],
      ["languages", child.languages && child.languages.map(language)], ["dossierNumber", child.dossierNumber],
      ["heightCm", d.heightCm], ["build", d.build], ["hair", d.hair], ["eyes", d.eyes], ["marks", d.marks],
      ["clothing", d.clothing], ["health", child.health], ["asylumStatus", child.asylumStatus]], opened)),
    el("a", { href: `#/child/${child.id}` }, t("openChild")));
}

function riskSection(c, child, opened) {
  const p = c.policeAssessment;
  return section("risk", t("riskTitle"), facts(marked([
    ["riskLevel", child.riskLevel && t(child.riskLevel)], ["riskIndicators", child.riskIndicators],
    ["riskAssessment", child.riskAssessment],
    ["policeGrade", p && `${t(p.grade)} – ${p.rationale} (${by(p.assessedBy)}, ${when(p.assessedAt)})`]], opened)));
}

function placesSection(child, opened) {
  return section("places", t("placesTitle"), facts(marked([
    ["responsibleMunicipality", child.responsibleMunicipality && child.responsibleMunicipality.name],
    ["residence", child.residence && child.residence.name], ["placementAddress", child.placementAddress],
    ["guardian", child.guardian && child.guardian.name],
    ["phones", child.contacts && child.contacts.map((x) => `${x.kind}: ${x.value}${x.note ? ` (${x.note})` : ""}`)]], opened)));
}

function callSection(c) {
  if (!c.whomToCall) return null;
  return section("call", t("whomToCall"), el("ul", { class: "plain" }, c.whomToCall.map((w) => el("li", {},
    el("strong", {}, `${t(`role_${w.role}`)}: ${w.organisation.name}`), w.person ? ` – ${w.person}` : "",
    el("ul", {}, w.contactPoints.map((p) => el("li", {}, `${p.label}${p.onCall ? ` (${t("onCall")})` : ""}: `,
      p.phone ? el("a", { href: `tel:${p.phone}` }, p.phone) : "", p.email ? ` ${p.email}` : "", p.hours ? ` · ${p.hours}` : "")))))));
}

function tasksSection(c) {
  if (!c.tasks) return null;
  return section("case-tasks", t("tasksTitle"), el("ul", { class: "plain" }, c.tasks.map((task) =>
    el("li", { class: `task-line ${task.overdue ? "overdue" : ""}` },
      el("strong", {}, task.title), ` – ${task.responsible ? task.responsible.name : ""} – `,
      el("span", { class: `task-status ${task.status}` }, t(task.status)),
      task.status === "OPEN" ? ` · ${task.overdue ? `${t("overdue")} · ` : ""}${t("taskDue", { when: when(task.dueAt) })}` : "",
      task.closedReason ? ` (${task.closedReason})` : ""))));
}

function acksSection(c, button) {
  if (!button && (!c.acknowledgements || !c.acknowledgements.length)) return null;
  return section("acks", t("acksTitle"), el("ul", { class: "plain" }, (c.acknowledgements || []).map((a) => el("li", {},
    el("strong", {}, `${t(a.event.type)} (${when(a.event.occurredAt)})`),
    a.acknowledged.length ? ` · ${t("acknowledged")}: ${a.acknowledged.map((x) => x.organisation.name).join(", ")}` : "",
    a.pending.length ? ` · ${t("pending")}: ${a.pending.map((o) => o.name).join(", ")}` : ""))),
  button);
}

function sightingsSection(c) {
  if (!c.sightings) return null;
  return section("sightings", t("sightingsTitle"), c.sightings.length ? el("ul", { class: "plain" }, c.sightings.map((s) => el("li", {},
    el("strong", {}, `${when(s.seenAt)} – ${s.place}`), ` (${t(s.kind)})`, s.note ? ` ${s.note}` : "",
    s.callbackPhone ? ` · ${t("callbackPhone")}: ${s.callbackPhone}` : "", ` · ${t("reportedBy")}: ${by(s.reportedBy)}`))) : el("p", {}, t("none")));
}

// acknowledging the newest event that partners acknowledge, unless the caller's
// organisation made it or has acknowledged it already
function ackButton(c, after) {
  const open = (c.events || []).filter((e) => e.needsAcknowledgement && !e.acknowledgedByYourOrganisation
    && !(e.actor && e.actor.id === session.me.organisation.id));
  if (!open.length) return null;
  const last = open[open.length - 1];
  const message = el("span", { class: "message", role: "status" });
  return el("p", {}, el("button", { type: "button", id: "ack", "data-cursor": last.cursor, onclick: async () => {
    try {
      await api("mutation($input: AcknowledgeInput!) { acknowledge(input: $input) { __typename } }", { input: { caseId: c.id, eventCursor: last.cursor } });
      message.textContent = t("saved");
      after();
    } catch (e) { message.textContent = e.words; }
  } }, `${t("acknowledge")}: ${t(last.type)}`), " ", message);
}

// the lifecycle actions the caller may take now; `update` changes the choices when the
// case moves on, keeping what is chosen and typed
function actionForms(caseId, allowed) {
  const fields = el("div", { class: "stack", id: "action-fields" });
  const choose = el("select", { id: "action", name: "action" });
  const update = (now) => {
    const chosen = choose.value;
    choose.replaceChildren(el("option", { value: "" }, t("choose")), ...now.map((a) => el("option", { value: a }, t(a))));
    if (now.includes(chosen)) choose.value = chosen;
    else if (chosen) fields.replaceChildren();
    // with nothing left to do the chooser goes, but an answer just given stays readable
    for (const part of [label, choose, submit()]) part.hidden = !now.length;
    node.hidden = !now.length && !said().textContent;
  };
  choose.addEventListener("change", () => {
    fields.replaceChildren(...(ACTION_FIELDS[choose.value] || []).map(([name, type, required]) =>
      field(name, t(name), Array.isArray(type) ? { choices: type.map((v) => [v, t(v)]), required } : { type, required })));
  });
  const label = el("label", { for: "action" }, t("choose"));
  const submit = () => node.querySelector("button[type=submit]");
  const said = () => node.querySelector(".message");
  const node = section("actions", t("actions"), form({ id: "action-form" },
    [label, choose, fields], t("submit"), async (data) => {
      const action = choose.value;
      if (!action) throw new Error(t("choose"));
      const input = { caseId };
      for (const [name, type] of ACTION_FIELDS[action]) {
        const value = String(data.get(name) || "").trim();
        if (value) input[name] = type === "datetime-local" ? local(value) : value;
      }
      const type = `${action[0].toUpperCase()}${action.slice(1)}Input`;
      await api(`mutation($input: ${type}!) { ${action}(input: $input) { case { id } } }`, { input });
      choose.value = "";
      fields.replaceChildren();
      window.dispatchEvent(new CustomEvent("hub:case-changed"));
      return `${t("saved")} ${t(action)}.`;
    }));
  update(allowed);
  return { node, update };
}

function emergencyForm(c, withheld) {
  // only what emergency access can open for this organisation (the reason says so)
  const categories = [...new Set(withheld.filter((w) => /emergency access/i.test(w.reason)).map((w) => w.category))];
  if (!["POLICE", "MUNICIPALITY", "RESIDENCE"].includes(kind()) || !categories.length) return null;
  return section("emergency", t("requestEmergency"), form({ id: "emergency-form" }, [
    field("category", t("categories"), { choices: categories.map((x) => [x, t(x)]) }),
    field("reasonKind", t("emergencyKind"), { choices: ["LIFE_OR_HEALTH", "SEARCH", "OTHER"].map((x) => [x, t(x)]) }),
    field("reason", t("emergencyReason"), { type: "textarea", required: true }),
    kind() === "POLICE" ? field("reference", t("emergencyReference"), { required: true }) : null,
  ], t("requestEmergency"), async (data) => {
    const input = { caseId: c.id, category: data.get("category"), reasonKind: data.get("reasonKind"), reason: data.get("reason") };
    if (data.get("reference")) input.reference = data.get("reference");
    await api("mutation($input: RequestEmergencyAccessInput!) { requestEmergencyAccess(input: $input) { case { id } } }", { input });
    window.dispatchEvent(new CustomEvent("hub:case-changed"));
    return t("emergencyDone");
  }));
}

export async function show(main, id) {
  main.replaceChildren(loading());
  let c;
  try { c = (await api(DETAIL, { id })).case; } catch (error) { main.replaceChildren(problem(error)); return null; }
  if (!c) { main.replaceChildren(el("p", { role: "alert" }, t("notFound")), el("a", { href: "#/board" }, t("back"))); return null; }
  const notice = el("p", { class: "notice", role: "status", "aria-live": "polite", id: "case-notice" });
  const readOnly = el("div", { class: "detail", id: "case-facts" });
  const title = el("h2", { id: "case-title", tabindex: "-1" }, t("caseOf", { name: childName(c.child) }));
  const withheldAll = () => [...(c.withheld || []), ...((c.child && c.child.withheld) || [])];
  const actions = actionForms(c.id, c.allowedActions);
  const stable = el("div", { class: "detail", id: "case-forms" }, actions.node, emergencyForm(c, withheldAll()));
  let photoUrl = null;
  const draw = async () => {
    const child = c.child || {};
    const opened = new Map((c.emergencyAccess || []).map((e) => [e.category, e.expiresAt]));
    if (child.description && child.description.photoUrl && !photoUrl) photoUrl = await photo(child.description.photoUrl);
    readOnly.replaceChildren(...[statusSection(c), c.child ? childSection(child, opened, photoUrl) : null,
      c.child ? riskSection(c, child, opened) : null, c.child ? placesSection(child, opened) : null,
      callSection(c), tasksSection(c), acksSection(c, ackButton(c, refresh)), sightingsSection(c),
      section("withheld-section", t("withheldTitle"), withheldList(withheldAll()))].filter(Boolean));
  };
  const ask = latest();
  const refresh = async (what) => {
    let data;
    try { data = await ask(DETAIL, { id }); } catch { return; }
    if (!data) return;
    const fresh = data.case;
    if (!fresh) {
      readOnly.replaceChildren();
      stable.replaceChildren();
      notice.className = "notice warning";
      notice.textContent = t("accessLost");
      return;
    }
    c = fresh;
    actions.update(c.allowedActions);
    await draw();
    if (what) notice.textContent = t("updated", { what: t(what) });
  };
  main.replaceChildren(el("a", { href: "#/board", class: "back" }, `← ${t("back")}`), title, notice, readOnly, stable);
  await draw();
  title.focus();
  const onEvent = debounced((event) => refresh(event.type));
  const stop = listen((event) => { if (!event.case || event.case.id === id) onEvent(event); });
  // access can end without an event reaching us (a consent revoked): look again when the
  // reader comes back to the page, and every 30 s
  const changed = () => refresh();
  window.addEventListener("hub:case-changed", changed);
  window.addEventListener("focus", changed);
  const timer = setInterval(changed, 30000);
  return () => {
    stop();
    clearInterval(timer);
    window.removeEventListener("hub:case-changed", changed);
    window.removeEventListener("focus", changed);
    if (photoUrl) URL.revokeObjectURL(photoUrl);
  };
}
