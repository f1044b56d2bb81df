// The inbox behind the bell: what the hub told my organisation, newest first.
import { el, loading, problem } from "../lib/render.js";
import { t, when } from "../lib/i18n.js";
import { api, debounced, latest, listen } from "../lib/session.js";

const INBOX = `query Inbox { myNotifications(first: 50) { unread notifications { id kind text createdAt read case { id } } } }`;
const READ = "mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { inbox { unread } } }";

export async function show(main) {
  const list = el("div", { id: "inbox-list" }, loading());
  main.replaceChildren(el("h2", {}, t("inbox")), list);
  const read = async (ids) => {
    await api(READ, { input: { ids } });
    window.dispatchEvent(new CustomEvent("hub:inbox-changed"));
    refresh();
  };
  const ask = latest();
  const refresh = async () => {
    let data;
    try { data = await ask(INBOX); } catch (error) { list.replaceChildren(problem(error)); return; }
    if (!data) return;
    const inbox = data.myNotifications;
    const unread = inbox.notifications.filter((n) => !n.read).map((n) => n.id);
    list.replaceChildren(
      unread.length ? el("button", { type: "button", id: "all-read", onclick: () => read(unread) }, t("allRead")) : null,
      inbox.notifications.length ? el("ul", { class: "plain inbox" }, inbox.notifications.map((n) => el("li", { class: n.read ? "read" : "unread" },
        el("strong", {}, t(n.kind)), ` · ${when(n.createdAt)} · `, n.text,
        n.case ? [" · ", el("a", { href: `#/case/${n.case.id}` }, t("caseOf", { name: "" }).replace(/[:\s]+$/, ""))] : null,
        n.read ? null : el("button", { type: "button", class: "secondary", onclick: () => read([n.id]) }, t("markRead"))))) : el("p", {}, t("noNotifications")));
  };
  await refresh();
  const stop = listen(debounced(refresh, 500));
  return stop;
}
