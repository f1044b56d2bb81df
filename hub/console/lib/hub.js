// The hub's GraphQL over HTTP, hub errors in words, and live events over
// graphql-transport-ws that resume after the last cursor seen.
import { t } from "./i18n.js";

export class HubError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
    this.code = errors[0]?.extensions?.code || "other";
    this.words = errors.map(inWords).filter((w, i, all) => all.indexOf(w) === i).join(" ");
  }
}

// a hub error's code in the reader's language; the hub's own words as the detail
function inWords(error) {
  const code = error.extensions?.code;
  const key = code ? `err_${code}` : "err_other";
  const detail = error.extensions?.field ? `${t(error.extensions.field)} – ${error.message}` : error.message;
  return t(t(key) === key ? "err_other" : key, { detail });
}

export async function gql(token, query, variables = {}, signal = undefined) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch {
    throw new HubError([{ message: "network", extensions: { code: "network" } }]);
  }
  let body;
  try { body = await response.json(); } catch { throw new HubError([{ message: `HTTP ${response.status}` }]); }
  if (body.errors && body.errors.length) throw new HubError(body.errors);
  return body.data;
}

export class LiveEvents {
  constructor(token, query, onEvent, onState) {
    Object.assign(this, { token, query, onEvent, onState });
    this.after = null;
    this.delay = 500;
    this.stopped = false;
    this.connect();
  }
  connect() {
    if (this.stopped) return;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    const ws = new WebSocket(url, "graphql-transport-ws");
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${this.token}` } }));
    ws.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "connection_ack") {
        this.delay = 500;
        this.onState(true);
        ws.send(JSON.stringify({ id: "live", type: "subscribe", payload: { query: this.query, variables: { after: this.after } } }));
      } else if (data.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
      } else if (data.type === "next" && data.payload.data) {
        const event = data.payload.data.caseEvents;
        this.after = event.cursor;
        this.onEvent(event);
      }
    };
    ws.onclose = (closed) => {
      this.onState(false);
      if (this.stopped || closed.code === 4403) return;
      setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    };
  }
  stop() {
    this.stopped = true;
    if (this.ws) this.ws.close(1000);
  }
}
