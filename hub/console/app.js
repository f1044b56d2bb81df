// The console's frame: sign-in, the views an organisation has, the inbox bell, routing.
// Each screen is a module of its own (screens/*.js) with show(main, param) -> cleanup.
import { $, el, problem } from "./lib/render.js";
import { setLang, t, LANG } from "./lib/i18n.js";
import { api, auditsOnly, forget, hasRole, isBoard, kind, listen, onLink, session, startLive, debounced } from "./lib/session.js";
import * as signin from "./screens/signin.js";
import * as board from "./screens/board.js";
import * as caseScreen from "./screens/case.js";
import * as child from "./screens/child.js";
import * as search from "./screens/search.js";
import * as tasks from "./screens/tasks.js";
import * as inbox from "./screens/inbox.js";
import * as transfers from "./screens/transfers.js";
import * as audit from "./screens/audit.js";
import * as review from "./screens/review.js";
import * as stats from "./screens/stats.js";

const SCREENS = {
  board, case: caseScreen, child, search, tasks, inbox, transfers, audit, review, stats,
};

// which views an organisation has, in the order of its work
function views() {
  if (auditsOnly()) return ["audit", "review"];
  if (isBoard()) return ["stats"];
  const found = ["board", "search", "tasks"];
  if (kind() === "MUNICIPALITY") found.push("transfers");
  if (hasRole("auditor")) found.push("audit", "review");
  return found;
}

let cleanup = null;

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const main = $("#main");
  if (!session.token) { showFrame(false); await signin.show(main, signedIn); return; }
  if (!session.me) {
    // a token kept from an earlier visit may have expired: then sign in anew
    try { await signedIn(session.token); } catch { forget(); route(); }
    return;
  }
  showFrame(true);
  const [name, param] = (location.hash.replace(/^#\/?/, "") || views()[0]).split("/");
  // a case, a child and the inbox are reached from the board's views, not by a tab
  const reachable = views().includes("board") ? [...views(), "case", "child", "inbox"] : views();
  const screen = SCREENS[name] && reachable.includes(name) ? name : views()[0];
  document.querySelectorAll("#tabs a").forEach((a) => a.setAttribute("aria-current", a.dataset.view === screen ? "page" : "false"));
  // each visit draws into a container of its own: a slower screen the reader has left
  // finishes into a detached container, never over the screen now shown
  const view = el("div", { class: "view" });
  main.replaceChildren(view);
  try {
    const ended = await SCREENS[screen].show(view, param);
    if (view.isConnected) cleanup = ended || null;
    else if (ended) ended();
  } catch (error) {
    view.replaceChildren(problem(error));
  }
  startLive();
}

async function signedIn(token) {
  session.token = token;
  try {
    session.me = (await api("{ me { sub name roles purpose organisation { id name kind } } }")).me;
  } catch (error) {
    forget();
    throw error;
  }
  sessionStorage.setItem("hub.token", token);
  if (!location.hash || location.hash === "#/") location.hash = `#/${views()[0]}`;
  else route();
}

function showFrame(signedIn) {
  $("#tabs").hidden = !signedIn;
  $("#signout").hidden = !signedIn;
  $("#bell").hidden = !signedIn || auditsOnly() || isBoard();
  if (!signedIn) { $("#who").textContent = ""; $("#link").hidden = true; return; }
  const me = session.me;
  $("#who").textContent = `${me.name || me.sub} · ${me.organisation.name} · ${me.roles.map((r) => t(r)).join(", ")}`;
  $("#tabs").setAttribute("aria-label", t("nav"));
  $("#tabs").replaceChildren(...views().map((view) => el("a", { href: `#/${view}`, "data-view": view }, t(view))));
  refreshBell();
}

async function refreshBell() {
  if ($("#bell").hidden) return;
  try {
    const { unread } = (await api("{ myNotifications(first: 1, unreadOnly: true) { unread } }")).myNotifications;
    $("#bell-count").textContent = String(unread);
    $("#bell").setAttribute("aria-label", unread ? t("bell", { n: unread }) : t("bellNone"));
    $("#bell").classList.toggle("unread", unread > 0);
  } catch { /* the bell stays as it was */ }
}

function setLink(online) {
  const link = $("#link");
  link.hidden = false;
  link.textContent = online ? t("online") : t("offline");
  link.className = `link ${online ? "on" : "off"}`;
}

document.addEventListener("DOMContentLoaded", () => {
  setLang(LANG);
  document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => { setLang(b.dataset.lang); route(); }));
  $("#signout").addEventListener("click", () => { forget(); location.hash = ""; route(); });
  window.addEventListener("hashchange", route);
  onLink(setLink);
  listen(debounced(refreshBell, 300));
  window.addEventListener("hub:inbox-changed", refreshBell);
  route();
});
