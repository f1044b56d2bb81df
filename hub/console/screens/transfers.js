// Handovers from and to my municipality: accept or decline what is asked of us.
import { el, field, form, loading, problem } from "../lib/render.js";
import { t, when } from "../lib/i18n.js";
import { api, debounced, listen, session } from "../lib/session.js";

const TRANSFERS = `{ transfers { id status reason requestedAt decidedAt declineReason childId from { id name } to { id name } } }`;

export async function show(main) {
  const list = el("div", { id: "transfer-list" }, loading());
  main.replaceChildren(el("h2", {}, t("transfers")), list);
  const refresh = async () => {
    let found;
    try { found = (await api(TRANSFERS)).transfers; } catch (error) { list.replaceChildren(problem(error)); return; }
    list.replaceChildren(found.length ? el("ul", { class: "plain" }, found.map((x) => {
      const mine = x.status === "REQUESTED" && x.to && x.to.id === session.me.organisation.id;
      return el("li", { class: "card", "data-transfer": x.id },
        el("strong", {}, `${x.from ? x.from.name : ""} → ${x.to ? x.to.name : ""}`), ` · ${t(x.status)} · ${when(x.requestedAt)}`,
        el("p", {}, x.reason), x.declineReason ? el("p", {}, `${t("declineReason")}: ${x.declineReason}`) : null,
        x.status === "ACCEPTED" ? el("a", { href: `#/child/${x.childId}` }, t("openChild")) : null,
        mine ? el("div", { class: "row-actions" },
          el("button", { type: "button", onclick: async () => {
            await api("mutation($input: AcceptTransferInput!) { acceptTransfer(input: $input) { transfer { id } } }", { input: { transferId: x.id } });
            refresh();
          } }, t("accept")),
          form({ class: "stack inline" }, [field("reason", t("declineReason"), { required: true })], t("decline"), async (data) => {
            await api("mutation($input: DeclineTransferInput!) { declineTransfer(input: $input) { transfer { id } } }", { input: { transferId: x.id, reason: data.get("reason") } });
            refresh();
          })) : null);
    })) : el("p", {}, t("noTransfers")));
  };
  await refresh();
  return listen(debounced(refresh));
}
