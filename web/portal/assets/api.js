// The portal is a client of Hookline's public GraphQL API, nothing more: every operation it
// runs is one any client can run with the same token.

const ENDPOINT = new URL("graphql", window.location.href).toString();

export class ApiError extends Error {
  constructor(error) {
    super(error.message || "The request failed");
    this.code = (error.extensions && error.extensions.code) || "ERROR";
    this.field = error.extensions && error.extensions.field;
  }
}

export class Api {
  constructor(token, company) {
    this.token = token;
    this.company = company || null;
    this.onUnauthenticated = () => {};
  }

  get isPortal() {
    return this.token.startsWith("hlp_");
  }

  headers() {
    const headers = {
      "Content-Type": "application/json",
      Accept: "application/json",
      Authorization: `Bearer ${this.token}`,
    };
    if (this.company && !this.isPortal) headers["X-Bloo-Company-ID"] = this.company;
    return headers;
  }

  async request(query, variables = {}) {
    let response;
    try {
      response = await fetch(ENDPOINT, {
        method: "POST",
        headers: this.headers(),
        body: JSON.stringify({ query, variables }),
        credentials: "omit",
      });
    } catch {
      throw new ApiError({ message: "Hookline cannot be reached", extensions: { code: "NETWORK" } });
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError({ message: `Hookline answered ${response.status}` });
    }
    if (body.errors && body.errors.length) {
      const error = new ApiError(body.errors[0]);
      if (error.code === "UNAUTHENTICATED") this.onUnauthenticated(error);
      throw error;
    }
    return body.data;
  }

  // Streams a subscription over graphql-transport-ws; reconnects and resumes with `after`.
  stream(query, variables, handlers) {
    return new Stream(this, query, variables, handlers);
  }
}

class Stream {
  constructor(api, query, variables, handlers) {
    this.api = api;
    this.query = query;
    this.variables = variables;
    this.handlers = handlers;
    this.after = null;
    this.closed = false;
    this.delay = 500;
    this.connect();
  }

  connect() {
    const url = new URL(ENDPOINT);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url.toString(), "graphql-transport-ws");
    this.socket = socket;
    socket.addEventListener("open", () => {
      socket.send(
        JSON.stringify({
          type: "connection_init",
          payload: { Authorization: `Bearer ${this.api.token}` },
        }),
      );
    });
    socket.addEventListener("message", (message) => this.receive(socket, message));
    socket.addEventListener("close", (event) => {
      if (this.closed) return;
      this.handlers.state("reconnecting");
      if (event.code === 4403) {
        this.handlers.error(new ApiError({ message: event.reason || "Not allowed" }));
        this.closed = true;
        return;
      }
      window.setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 15000);
    });
  }

  receive(socket, message) {
    const data = JSON.parse(message.data);
    if (data.type === "connection_ack") {
      const variables = { ...this.variables };
      if (this.after) variables.after = this.after;
      socket.send(
        JSON.stringify({ id: "tail", type: "subscribe", payload: { query: this.query, variables } }),
      );
      this.delay = 500;
      this.handlers.state("live");
    } else if (data.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (data.type === "next") {
      if (data.payload.errors) {
        this.handlers.error(new ApiError(data.payload.errors[0]));
        return;
      }
      const value = Object.values(data.payload.data)[0];
      if (value && value.id) this.after = value.id;
      this.handlers.next(value);
    } else if (data.type === "error") {
      this.handlers.error(new ApiError(data.payload[0] || {}));
    }
  }

  close() {
    this.closed = true;
    if (this.socket) this.socket.close(1000);
  }
}
