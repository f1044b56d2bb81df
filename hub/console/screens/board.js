// The board: the cases the caller may see, by state, kept current by live events; where
// the organisation reports absences, the report form above it.
import { $, el, form, field, loading, local, problem } from "../lib/render.js";
import { day, t, when } from "../lib/i18n.js";
import { api, debounced, kind, latest, listen } from "../lib/session.js";
import { childName, childPicker, PICK_FIELDS } from "../lib/children.js";

const STATES = ["ABSENT", "REPORTED_MISSING", "FOUND", "FOLLOW_UP", "CLOSED"];
const BOARD = `query Board { cases(first: 200) { edges { node {
  id status openedAt lastSeenAt lastSeenPlace alert { reference cancelledAt }
  child { id givenName familyName birthDate } } } } }`;
const REPORTERS = ["MUNICIPALITY", "RESIDENCE", "GUARDIANSHIP"];

function card(c) {
  return el("li", { class: "case", "data-case": c.id },
    el("a", { href: `#/case/${c.id}` }, childName(c.child)),
    c.child && c.child.birthDate ? el("span", { class: "meta" }, `${t("birthDate")} ${day(c.child.birthDate)}`) : null,
    el("span", { class: "meta" }, `${t("openedAt")} ${when(c.openedAt)}`),
    c.lastSeenPlace ? el("span", { class: "meta" }, `${t("lastSeenPlace")}: ${c.lastSeenPlace}`) : null,
    c.alert && !c.alert.cancelledAt ? el("span", { class: "badge" }, t("alert")) : null);
}

function render(cases) {
  const columns = STATES.map((state) => {
    const here = cases.filter((c) => c.status === state);
    return el("section", { class: "column", "aria-labelledby": `col-${state}` },
      el("h2", { id: `col-${state}` }, `${t(state)} (${here.length})`),
      here.length ? el("ul", {}, here.map(card)) : el("p", { class: "empty" }, "–"));
  });
  return el("div", { class: "board", id: "board" }, columns);
}

async function absentForm() {
  const data = await api(`{ children(first: 200) { edges { node { ${PICK_FIELDS} } } } }`);
  const children = data.children.edges.map((e) => e.node);
  return el("section", { class: "card", "aria-labelledby": "absent-h", id: "absent" },
    el("h2", { id: "absent-h" }, t("reportChildAbsent")),
    form({ id: "absent-form" }, [
      childPicker("absent-child", t("childPick"), children),
      field("lastSeenPlace", t("lastSeenPlace"), { required: true }),
      field("lastSeenAt", t("lastSeenAt"), { type: "datetime-local", required: true }),
      field("circumstances", t("circumstances"), { type: "textarea" }),
    ], t("reportAbsent"), async (data) => {
      const input = { childId: data.get("childId"), lastSeenPlace: data.get("lastSeenPlace"), lastSeenAt: local(data.get("lastSeenAt")) };
      if (data.get("circumstances")) input.circumstances = data.get("circumstances");
      await api("mutation($input: ReportAbsentInput!) { reportAbsent(input: $input) { case { id } } }", { input });
    }));
}

export async function show(main) {
  main.replaceChildren(el("h2", { class: "sr-only" }, t("board")), loading());
  const parts = [el("h2", { class: "sr-only" }, t("board"))];
  if (REPORTERS.includes(kind())) parts.push(await absentForm());
  const holder = el("div", { id: "board-holder" });
  parts.push(holder);
  main.replaceChildren(...parts);
  const ask = latest();
  const refresh = async () => {
    try {
      const data = await ask(BOARD);
      if (data) holder.replaceChildren(render(data.cases.edges.map((e) => e.node)));
    } catch (error) { holder.replaceChildren(problem(error)); }
  };
  await refresh();
  // a case one may no longer see leaves the board: look again on focus and every 30 s
  const stop = listen(debounced(refresh));
  const again = () => refresh();
  window.addEventListener("focus", again);
  const timer = setInterval(again, 30000);
  return () => { stop(); clearInterval(timer); window.removeEventListener("focus", again); };
}
