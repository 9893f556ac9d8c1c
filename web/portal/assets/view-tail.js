// A live tail of the company's events through the `events` subscription (graphql-transport-ws).
// The stream keeps running while other views are shown, and resumes after a reconnect from
// the last event it saw, so nothing is missed.

import { h, pretty, replace, time } from "./dom.js";

const QUERY = `subscription($after: String) { events(after: $after) {
  id event createdAt companyId projectId userId previousValue currentValue } }`;
const KEEP = 200;

export class Tail {
  constructor(api, company) {
    this.api = api;
    this.company = company;
    this.events = [];
    this.state = "stopped";
    this.error = null;
    this.stream = null;
    this.listeners = new Set();
  }

  start() {
    if (this.stream) return;
    this.state = "connecting";
    this.stream = this.api.stream(QUERY, {}, {
      next: (event) => {
        this.events.unshift(event);
        this.events.length = Math.min(this.events.length, KEEP);
        this.emit({ event });
      },
      error: (error) => {
        this.error = error.message;
        this.emit({});
      },
      state: (state) => {
        this.state = state;
        this.emit({});
      },
    });
    this.emit({});
  }

  stop() {
    if (this.stream) this.stream.close();
    this.stream = null;
    this.state = "stopped";
    this.emit({});
  }

  emit(change) {
    for (const listener of this.listeners) listener(change);
  }

  visible() {
    const company = this.company();
    return this.events.filter((e) => !company || e.companyId === company);
  }
}

function eventItem(event) {
  const value = event.currentValue || event.previousValue;
  const name = value && (value.title || value.name || value.text);
  return h(
    "li",
    {},
    h(
      "details",
      {},
      h(
        "summary",
        {},
        h("span", { className: "event" }, event.event),
        " ",
        name ? h("span", {}, `“${name}”`) : null,
        " ",
        h("span", { className: "hint" }, time(event.createdAt), ` · #${event.id}`),
      ),
      h("h3", { className: "visually-hidden" }, `Event ${event.id}`),
      h("pre", { tabindex: "0" }, pretty(JSON.stringify({ previousValue: event.previousValue, currentValue: event.currentValue }))),
    ),
  );
}

export function tailView(context) {
  const tail = context.tail;
  tail.start();
  const list = h("ol", { className: "tail", reversed: true });
  const state = h("p", { className: "status-line", role: "status" });
  const pause = h("button", { type: "button", className: "secondary" });
  const render = () => {
    replace(list, tail.visible().map(eventItem));
    pause.textContent = tail.stream ? "Pause" : "Resume";
    const label = { live: "Live: new events appear at the top.", connecting: "Connecting…", reconnecting: "Reconnecting…", stopped: "Paused." }[tail.state];
    state.textContent = tail.error ? `${label} ${tail.error}` : label;
  };
  pause.addEventListener("click", () => (tail.stream ? tail.stop() : tail.start()));
  const listener = ({ event }) => {
    if (event && list.isConnected) {
      const company = tail.company();
      if (!company || event.companyId === company) list.prepend(eventItem(event));
      while (list.children.length > KEEP) list.lastChild.remove();
      pause.textContent = "Pause";
    } else {
      render();
    }
  };
  tail.listeners.add(listener);
  render();
  return {
    title: "Live events",
    element: h(
      "div",
      {},
      h("h1", {}, "Live events"),
      h("p", {}, "Every event of the company's projects you can read, as it is committed, whether or not a webhook receives it."),
      h("div", { className: "actions" }, pause),
      state,
      h("div", { role: "log", "aria-label": "Events, newest first" }, list),
    ),
    leave: () => tail.listeners.delete(listener),
  };
}
