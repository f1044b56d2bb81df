// The hub's GraphQL over HTTP, and a graphql-transport-ws subscription that resumes.
"use strict";
class HubError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
  }
}

async function gql(token, query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try { body = await response.json(); } catch { throw new HubError([{ message: `HTTP ${response.status}` }]); }
  if (body.errors && body.errors.length) throw new HubError(body.errors);
  return body.data;
}

// Live events: reconnects with growing pauses and resumes after the last cursor seen, so
// nothing is missed across a dropped connection or a restarting replica (close 1001).
class LiveEvents {
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
