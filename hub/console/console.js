// The reference console: sign in, a live board, case detail, tasks, actions, audit.
"use strict";
const $ = (sel, root = document) => root.querySelector(sel);
const STATES = ["ABSENT", "REPORTED_MISSING", "FOUND", "FOLLOW_UP", "CLOSED"];
const CASE_FIELDS = `id version status openedAt lastSeenAt lastSeenPlace allowedActions
  child { id givenName familyName } withheld { category reason }`;
const BOARD = `query Board { cases(first: 200) { edges { node { ${CASE_FIELDS} } } } }`;
const LIVE = `subscription Live($after: String) { caseEvents(after: $after) {
  cursor type case { ${CASE_FIELDS} } } }`;
const DETAIL = `query CaseDetail($id: ID!) { case(id: $id) {
  ${CASE_FIELDS} policeReportNumber reportedMissingAt registeredAvvikenAt foundAt foundPlace
  closedAt outcome circumstances returnInterview
  child { id givenName familyName birthDate nationality placementAddress health
          description { clothing heightCm } }
  sightings { id seenAt place note }
  tasks { id title status dueAt overdue }
  events { cursor type occurredAt actor { name } } } }`;
const TASKS = `query MyTasks { myTasks(first: 100) { edges { node {
  id title status dueAt overdue case { id child { givenName familyName } events { cursor } } } } } }`;
const ACTION_FIELDS = {
  reportMissingToPolice: [["policeReportNumber", "text"]],
  registerAvviken: [],
  addSighting: [["seenAt", "datetime-local"], ["place", "text"], ["note", "text", true]],
  reportFound: [["foundAt", "datetime-local"], ["place", "text"]],
  recordReturnInterview: [["summary", "textarea"]],
  closeCase: [["outcome", "outcome"]],
};
const session = { token: sessionStorage.getItem("hub.token"), me: null, live: null, cases: new Map() };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c.nodeType ? c : String(c));
  return node;
}
const when = (iso) => (iso ? new Date(iso).toLocaleString(LANG === "sv" ? "sv-SE" : "en-GB") : t("none"));
const name = (child) => (child && child.givenName ? `${child.givenName} ${child.familyName || ""}`.trim() : t("withheldName"));
const isAuditor = () => session.me && session.me.roles.includes("auditor");
// a token with only the auditor role sees no case content: no board, no tasks
const auditsOnly = () => isAuditor() && session.me.roles.every((r) => r === "auditor");
const errorText = (e) => (e.errors ? e.errors.map((x) => x.message).join(" ") : String(e.message || e));

function withheldSentence(item) {
  const kind = session.me ? t(session.me.organisation.kind) : "";
  const key = /consent/i.test(item.reason) ? "withheldConsent" : "withheldSentence";
  return LANG === "sv" ? t(key, { category: t(item.category), kind }) : item.reason;
}

function setLink(online) {
  const link = $("#link");
  link.hidden = false;
  link.textContent = online ? t("online") : t("offline");
  link.className = `link ${online ? "on" : "off"}`;
}

// ---- sign in
async function showSignIn() {
  $("#tabs").hidden = true;
  $("#signout").hidden = true;
  $("#who").textContent = "";
  const main = $("#main");
  main.replaceChildren($("#t-signin").content.cloneNode(true));
  setLang(LANG);
  const personas = await fetch("/dev/personas").then((r) => (r.ok ? r.json() : null)).catch(() => null);
  if (personas) {
    const org = $("#org");
    const role = $("#role");
    for (const p of personas.organisations) org.append(el("option", { value: p.id }, p.name));
    const fillRoles = () => {
      const p = personas.organisations.find((o) => o.id === org.value);
      role.replaceChildren(...p.roles.map((r) => el("option", { value: r }, r)));
    };
    org.addEventListener("change", fillRoles);
    fillRoles();
    $("#persona-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const response = await fetch("/dev/token", {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ org: org.value, role: role.value }),
      });
      const body = await response.json();
      if (!response.ok) { $("#signin-error").textContent = body.error || response.status; return; }
      await signIn(body.access_token);
    });
  } else {
    $("#persona-form").hidden = true;
  }
  $("#token-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await signIn($("#token").value.trim().replace(/^Bearer\s+/i, ""));
  });
}

async function signIn(token) {
  try {
    const data = await gql(token, "{ me { sub name roles organisation { id name kind } } }");
    session.token = token;
    session.me = data.me;
    sessionStorage.setItem("hub.token", token);
    location.hash = isAuditor() ? "#/audit" : "#/board";
    route();
  } catch (e) {
    const target = $("#signin-error");
    if (target) target.textContent = errorText(e);
    else { sessionStorage.removeItem("hub.token"); showSignIn(); }
  }
}

function signOut() {
  if (session.live) session.live.stop();
  Object.assign(session, { token: null, me: null, live: null });
  session.cases.clear();
  sessionStorage.removeItem("hub.token");
  $("#link").hidden = true;
  location.hash = "";
  showSignIn();
}

// ---- board
function card(c) {
  return el("li", { class: "case", "data-case": c.id },
    el("a", { href: `#/case/${c.id}` }, name(c.child)),
    el("span", { class: "meta" }, `${t("openedAt")} ${when(c.openedAt)}`),
    c.lastSeenPlace ? el("span", { class: "meta" }, `${t("lastSeen")}: ${c.lastSeenPlace}`) : null);
}

function renderBoard() {
  const columns = STATES.map((state) => {
    const cases = [...session.cases.values()].filter((c) => c.status === state);
    return el("section", { class: "column", "aria-labelledby": `col-${state}` },
      el("h2", { id: `col-${state}` }, `${t(state)} (${cases.length})`),
      cases.length ? el("ul", {}, cases.map(card)) : el("p", { class: "empty" }, t("noCases")));
  });
  const board = el("div", { class: "board", id: "board" }, columns);
  const existing = $("#board");
  if (existing) existing.replaceWith(board); else $("#main").append(board);
}

async function showBoard() {
  const main = $("#main");
  main.replaceChildren(el("h2", { class: "sr-only" }, t("board")));
  if (["MUNICIPALITY", "RESIDENCE", "GUARDIANSHIP"].includes(session.me.organisation.kind)) {
    main.append(await absentForm());
  }
  const data = await gql(session.token, BOARD);
  session.cases = new Map(data.cases.edges.map((e) => [e.node.id, e.node]));
  renderBoard();
  startLive();
}

function startLive() {
  if (session.live) return;
  session.live = new LiveEvents(session.token, LIVE, (event) => {
    if (event.type.startsWith("TASK_")) return;
    if (event.case) session.cases.set(event.case.id, event.case);
    if ($("#board")) renderBoard();
    const open = location.hash.match(/^#\/case\/(.+)$/);
    if (open && event.case && open[1] === event.case.id) showCase(open[1], t("eventArrived", { type: event.type }));
  }, setLink);
}

async function absentForm() {
  const data = await gql(session.token, "{ children(first: 200) { edges { node { id givenName familyName } } } }");
  const select = el("select", { id: "absent-child", required: true },
    data.children.edges.map((e) => el("option", { value: e.node.id }, name(e.node))));
  const message = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "card stack", id: "absent-form" },
    el("h2", {}, t("reportChildAbsent")),
    el("label", { for: "absent-child" }, t("childPick")), select,
    el("label", { for: "absent-place" }, t("lastSeenPlace")),
    el("input", { id: "absent-place", name: "lastSeenPlace", required: true }),
    el("label", { for: "absent-at" }, t("lastSeenAt")),
    el("input", { id: "absent-at", name: "lastSeenAt", type: "datetime-local", required: true }),
    el("button", { type: "submit" }, t("reportAbsent")), message);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    message.textContent = "";
    try {
      await gql(session.token, `mutation($input: ReportAbsentInput!) { reportAbsent(input: $input) { case { id } } }`,
        { input: { childId: select.value, lastSeenPlace: $("#absent-place").value,
                   lastSeenAt: new Date($("#absent-at").value).toISOString() } });
      message.className = "ok";
      message.textContent = t("saved");
    } catch (e) { message.className = "error"; message.textContent = errorText(e); }
  });
  return form;
}

// ---- case detail
function row(label, value) {
  return value === null || value === undefined || value === "" ? null : el("div", { class: "row" }, el("dt", {}, t(label)), el("dd", {}, value));
}

function actionForm(c) {
  if (!c.allowedActions.length) return null;
  const message = el("p", { class: "error", role: "alert", id: "action-message" });
  const fields = el("div", { class: "stack" });
  const choose = el("select", { id: "action", "aria-describedby": "action-message" },
    el("option", { value: "" }, t("choose")), c.allowedActions.map((a) => el("option", { value: a }, t(a))));
  choose.addEventListener("change", () => {
    fields.replaceChildren(...(ACTION_FIELDS[choose.value] || []).flatMap(([field, type, optional]) => {
      const id = `f-${field}`;
      const input = type === "textarea" ? el("textarea", { id, name: field, required: !optional, rows: 3 })
        : type === "outcome" ? el("select", { id, name: field }, ["RETURNED", "FOUND_ELSEWHERE", "LEFT_SWEDEN", "TURNED_18", "UNRESOLVED"].map((o) => el("option", { value: o }, t(o))))
          : el("input", { id, name: field, type, required: !optional });
      return [el("label", { for: id }, t(field)), input];
    }));
  });
  const form = el("form", { class: "card stack", id: "action-form" },
    el("h3", {}, t("actions")), el("label", { for: "action" }, t("choose")), choose, fields,
    el("button", { type: "submit" }, t("submit")), message);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    message.className = "error";
    message.textContent = "";
    const action = choose.value;
    if (!action) { message.textContent = t("choose"); return; }
    const input = { caseId: c.id };
    for (const [field, type, optional] of ACTION_FIELDS[action]) {
      const value = $(`#f-${field}`).value.trim();
      if (!value && !optional) { message.textContent = t("required", { field: t(field) }); $(`#f-${field}`).focus(); return; }
      if (value) input[field] = type === "datetime-local" ? new Date(value).toISOString() : value;
    }
    const type = action[0].toUpperCase() + action.slice(1);
    try {
      await gql(session.token, `mutation($input: ${type}Input!) { ${action}(input: $input) { case { id } } }`, { input });
      showCase(c.id, t("saved"));
    } catch (e) { message.textContent = errorText(e); }
  });
  return form;
}

async function showCase(id, notice = "") {
  const main = $("#main");
  let c;
  try { c = (await gql(session.token, DETAIL, { id })).case; } catch (e) { main.replaceChildren(el("p", { class: "error", role: "alert" }, errorText(e))); return; }
  if (!c) { main.replaceChildren(el("p", {}, t("notFound")), el("a", { href: "#/board" }, t("back"))); return; }
  const child = c.child || {};
  main.replaceChildren(...[
    el("a", { href: "#/board", class: "back" }, `← ${t("back")}`),
    el("h2", { id: "case-title" }, `${t("detail")}: ${name(c.child)}`),
    notice ? el("p", { class: "ok", role: "status" }, notice) : null,
    el("div", { class: "detail" },
      el("section", { class: "card", "aria-labelledby": "fields-h" },
        el("h3", { id: "fields-h" }, t("fields")),
        el("dl", {},
          row("status", c.status && t(c.status)), row("openedAt", c.openedAt && when(c.openedAt)),
          row("givenName", child.givenName), row("familyName", child.familyName),
          row("birthDate", child.birthDate), row("nationality", child.nationality),
          row("placementAddress", child.placementAddress), row("health", child.health),
          row("clothing", child.description && child.description.clothing),
          row("heightCm", child.description && child.description.heightCm),
          row("lastSeenAt", c.lastSeenAt && when(c.lastSeenAt)), row("lastSeenPlace", c.lastSeenPlace),
          row("policeReport", c.policeReportNumber), row("circumstances", c.circumstances),
          row("foundAt", c.foundAt && when(c.foundAt)), row("foundPlace", c.foundPlace),
          row("returnInterview", c.returnInterview), row("outcome", c.outcome && t(c.outcome))),
        c.sightings && c.sightings.length ? el("div", {}, el("h4", {}, t("sightings")),
          el("ul", {}, c.sightings.map((s) => el("li", {}, `${when(s.seenAt)} – ${s.place}${s.note ? ` (${s.note})` : ""}`)))) : null),
      el("section", { class: "card", "aria-labelledby": "withheld-h" },
        el("h3", { id: "withheld-h" }, t("withheldTitle")),
        c.withheld.length ? el("ul", { id: "withheld" }, c.withheld.map((w) => el("li", {}, withheldSentence(w)))) : el("p", {}, t("none"))),
      actionForm(c))].filter(Boolean));
  $("#case-title").setAttribute("tabindex", "-1");
  $("#case-title").focus();
}

// ---- tasks
async function showTasks() {
  const main = $("#main");
  const data = await gql(session.token, TASKS);
  const open = data.myTasks.edges.map((e) => e.node).filter((task) => task.status === "OPEN");
  main.replaceChildren(el("h2", {}, t("tasks")), open.length ? el("ul", { class: "tasks" }, open.map((task) => {
    const message = el("span", { class: "error", role: "alert" });
    const last = task.case && task.case.events && task.case.events.length ? task.case.events[task.case.events.length - 1].cursor : null;
    const act = async (query, variables) => {
      try { await gql(session.token, query, variables); showTasks(); } catch (e) { message.textContent = errorText(e); }
    };
    return el("li", { class: `task${task.overdue ? " overdue" : ""}` },
      el("strong", {}, task.title),
      task.case ? el("a", { href: `#/case/${task.case.id}` }, name(task.case.child)) : null,
      el("span", { class: "due" }, `${task.overdue ? t("overdue") + " – " : ""}${t("due")} ${when(task.dueAt)}`),
      last ? el("button", { type: "button", onclick: () => act(`mutation($input: AcknowledgeInput!) { acknowledge(input: $input) { __typename } }`, { input: { caseId: task.case.id, eventCursor: last } }) }, t("acknowledge")) : null,
      el("button", { type: "button", onclick: () => act(`mutation($input: CompleteTaskInput!) { completeTask(input: $input) { __typename } }`, { input: { taskId: task.id } }) }, t("complete")),
      message);
  })) : el("p", {}, t("noTasks")));
}

// ---- audit
async function showAudit() {
  const main = $("#main");
  const results = el("div", { id: "audit-results" });
  const input = (id, type = "text") => el("input", { id, name: id, type });
  const filters = el("form", { class: "card filters", id: "audit-filter" },
    el("label", { for: "a-child" }, t("childId")), input("a-child"),
    el("label", { for: "a-kind" }, t("kind")),
    el("select", { id: "a-kind" }, el("option", { value: "" }, t("none")),
      ["READ", "MUTATION", "DELIVERY", "DENIED", "EMERGENCY", "AUDIT", "RETENTION"].map((k) => el("option", { value: k }, k))),
    el("label", { for: "a-from" }, t("from")), input("a-from", "date"),
    el("label", { for: "a-to" }, t("to")), input("a-to", "date"),
    el("button", { type: "submit" }, t("filter")),
    el("button", { type: "button", id: "a-export" }, t("exportCsv")),
    el("button", { type: "button", id: "a-verify" }, t("verify")),
    el("button", { type: "button", id: "a-report" }, t("accessReport")));
  main.replaceChildren(el("h2", {}, t("audit")), filters, el("p", { id: "a-status", role: "status" }), results);
  const filter = () => {
    const f = {};
    if ($("#a-child").value) f.childId = $("#a-child").value.trim();
    if ($("#a-kind").value) f.kind = $("#a-kind").value;
    if ($("#a-from").value) f.from = new Date($("#a-from").value).toISOString();
    if ($("#a-to").value) f.to = new Date(`${$("#a-to").value}T23:59:59`).toISOString();
    return f;
  };
  const load = async () => {
    try {
      const data = await gql(session.token, `query Log($filter: AuditFilterInput) { auditLog(first: 100, filter: $filter) {
        totalCount edges { node { seq at kind action organisationId sub childId disclosed withheld flags legalBases { category basis } } } } }`, { filter: filter() });
      results.replaceChildren(el("p", {}, t("entries", { n: data.auditLog.totalCount })), el("table", { class: "log" },
        el("thead", {}, el("tr", {}, ["#", "when", "who", "kind", "what", "basis", "flags"].map((h) => el("th", { scope: "col" }, h === "#" ? h : t(h))))),
        el("tbody", {}, data.auditLog.edges.map(({ node: n }) => el("tr", {},
          el("td", {}, n.seq), el("td", {}, when(n.at)), el("td", {}, `${n.organisationId || ""} ${n.sub || ""}`),
          el("td", {}, `${n.kind} ${n.action}`), el("td", {}, n.disclosed.map((c) => t(c)).join(", ")),
          el("td", {}, n.legalBases.map((b) => b.basis).filter((v, i, a) => a.indexOf(v) === i).join(", ")),
          el("td", {}, n.flags.join(", ")))))));
    } catch (e) { results.replaceChildren(el("p", { class: "error", role: "alert" }, errorText(e))); }
  };
  filters.addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  $("#a-verify").addEventListener("click", async () => {
    const v = (await gql(session.token, "{ verifyAuditChain { ok checked firstBrokenId problem } }")).verifyAuditChain;
    $("#a-status").textContent = v.ok ? t("chainOk", { checked: v.checked }) : t("chainBroken", { seq: v.firstBrokenId, problem: v.problem });
  });
  $("#a-report").addEventListener("click", async () => {
    const id = $("#a-child").value.trim();
    if (!id) { $("#a-status").textContent = t("required", { field: t("childId") }); return; }
    try {
      const rows = (await gql(session.token, `query($id: ID!) { accessReport(childId: $id) {
        organisationId sub categories accesses firstAt lastAt flags } }`, { id })).accessReport;
      results.replaceChildren(el("table", { class: "log", id: "access-report" },
        el("thead", {}, el("tr", {}, ["who", "what", "accesses", "from", "to", "flags"].map((h) => el("th", { scope: "col" }, t(h))))),
        el("tbody", {}, rows.map((r) => el("tr", {}, el("td", {}, `${r.organisationId || ""} ${r.sub || ""}`),
          el("td", {}, r.categories.map((c) => t(c)).join(", ")), el("td", {}, r.accesses),
          el("td", {}, when(r.firstAt)), el("td", {}, when(r.lastAt)), el("td", {}, r.flags.join(", ")))))));
    } catch (e) { results.replaceChildren(el("p", { class: "error", role: "alert" }, errorText(e))); }
  });
  $("#a-export").addEventListener("click", async () => {
    const params = new URLSearchParams(Object.entries(filter()));
    const response = await fetch(`/audit/export.csv?${params}`, { headers: { authorization: `Bearer ${session.token}` } });
    if (!response.ok) { $("#a-status").textContent = `HTTP ${response.status}`; return; }
    const url = URL.createObjectURL(await response.blob());
    el("a", { href: url, download: "audit.csv" }).click();
    URL.revokeObjectURL(url);
  });
  load();
}

// ---- routing
async function route() {
  if (!session.token) { showSignIn(); return; }
  if (!session.me) { await signIn(session.token); return; }
  $("#tabs").hidden = false;
  $("#signout").hidden = false;
  $("#audit-tab").hidden = !isAuditor();
  document.querySelectorAll('#tabs a:not(#audit-tab)').forEach((a) => { a.hidden = auditsOnly(); });
  $("#who").textContent = `${session.me.organisation.name} – ${session.me.roles.join(", ")}`;
  document.querySelectorAll("#tabs a").forEach((a) => a.setAttribute("aria-current", String(location.hash.startsWith(a.getAttribute("href")))));
  const hash = location.hash || "#/board";
  const match = hash.match(/^#\/case\/(.+)$/);
  try {
    if (match) await showCase(match[1]);
    else if (hash === "#/tasks") await showTasks();
    else if ((hash === "#/audit" || auditsOnly()) && isAuditor()) await showAudit();
    else await showBoard();
  } catch (e) { $("#main").replaceChildren(el("p", { class: "error", role: "alert" }, errorText(e))); }
  if (!auditsOnly()) startLive();
}

document.addEventListener("DOMContentLoaded", () => {
  setLang(LANG);
  document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => { setLang(b.dataset.lang); route(); }));
  $("#signout").addEventListener("click", signOut);
  window.addEventListener("hashchange", route);
  route();
});
