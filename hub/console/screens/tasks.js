// My organisation's open tasks, soonest first, overdue in red; live.
import { el, loading, problem } from "../lib/render.js";
import { t, when } from "../lib/i18n.js";
import { api, debounced, latest, listen } from "../lib/session.js";
import { childName } from "../lib/children.js";

const TASKS = `query MyTasks { myTasks(first: 100) { edges { node {
  id title status dueAt overdue personal case { id status child { givenName familyName } } child { id givenName familyName } } } } }`;

export async function show(main) {
  const list = el("div", { id: "task-list" }, loading());
  main.replaceChildren(el("h2", {}, t("tasks")), list);
  const ask = latest();
  const refresh = async () => {
    let data;
    try { data = await ask(TASKS); } catch (error) { list.replaceChildren(problem(error)); return; }
    if (!data) return;
    const open = data.myTasks.edges.map((e) => e.node).filter((x) => x.status === "OPEN");
    list.replaceChildren(open.length ? el("ul", { class: "tasks" }, open.map((task) => {
      const message = el("span", { class: "message", role: "status" });
      const who = task.case ? task.case.child : task.child;
      return el("li", { class: `task${task.overdue ? " overdue" : ""}`, "data-task": task.id },
        el("strong", {}, task.title),
        task.case ? el("a", { href: `#/case/${task.case.id}` }, `${childName(who)} (${t(task.case.status)})`)
          : task.child ? el("a", { href: `#/child/${task.child.id}` }, childName(who)) : null,
        el("span", { class: "due" }, `${task.overdue ? `${t("overdue")} – ` : ""}${t("taskDue", { when: when(task.dueAt) })}`),
        el("button", { type: "button", onclick: async () => {
          try {
            await api("mutation($input: CompleteTaskInput!) { completeTask(input: $input) { task { id } } }", { input: { taskId: task.id } });
            refresh();
          } catch (error) { message.textContent = error.words; }
        } }, t("complete")), message);
    })) : el("p", {}, t("noTasks")));
  };
  await refresh();
  const stop = listen(debounced(refresh));
  const timer = setInterval(refresh, 60000); // deadlines pass without events
  return () => { stop(); clearInterval(timer); };
}
