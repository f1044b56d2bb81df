// Who is signed in, what their organisation does, and the one live connection every
// screen listens to.
import { gql, LiveEvents } from "./hub.js";

export const session = { token: sessionStorage.getItem("hub.token"), me: null, live: null };

export const api = (query, variables = {}) => gql(session.token, query, variables);

// For a screen that asks again (a filter changed, an event came, the reader came back):
// a new question cancels the one still open, so the slower answer to an earlier question
// never overwrites a newer one. The returned function answers the data, or null when a
// later question replaced it.
export function latest() {
  let open = null;
  return async (query, variables = {}) => {
    open?.abort();
    const mine = new AbortController();
    open = mine;
    try {
      const data = await gql(session.token, query, variables, mine.signal);
      return mine.signal.aborted ? null : data;
    } catch (error) {
      if (mine.signal.aborted) return null;
      throw error;
    }
  };
}
export const kind = () => session.me?.organisation.kind;
export const hasRole = (role) => Boolean(session.me?.roles.includes(role));
// a token with only the auditor role sees no case content
export const auditsOnly = () => Boolean(session.me) && session.me.roles.every((r) => r === "auditor");
export const isBoard = () => kind() === "COUNTY_BOARD" && !hasRole("auditor");

const LIVE = `subscription Live($after: String) { caseEvents(after: $after) {
  cursor type occurredAt case { id status } } }`;
const listeners = new Set();
const linkListeners = new Set();

export function listen(fn) { listeners.add(fn); return () => listeners.delete(fn); }
export function onLink(fn) { linkListeners.add(fn); return () => linkListeners.delete(fn); }

export function startLive() {
  if (session.live || auditsOnly() || isBoard()) return;
  session.live = new LiveEvents(session.token, LIVE,
    (event) => listeners.forEach((fn) => fn(event)),
    (online) => linkListeners.forEach((fn) => fn(online)));
}

export function forget() {
  if (session.live) session.live.stop();
  Object.assign(session, { token: null, me: null, live: null });
  sessionStorage.removeItem("hub.token");
}

// runs `fn` once events stop arriving for `ms`: a burst of events is one refresh
export function debounced(fn, ms = 200) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// fetches a photo behind the token as a blob URL (an <img> cannot send the token)
export async function photo(url) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${session.token}` } });
  return response.ok ? URL.createObjectURL(await response.blob()) : null;
}
