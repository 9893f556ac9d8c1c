// The event catalog: each event type, what it means, and the body a delivery of it carries.

import { h, pretty, replace } from "./dom.js";

function eventEntry(catalog, type) {
  const body = h("div", {}, h("p", { className: "hint" }, "Loading…"));
  const details = h(
    "details",
    {},
    h("summary", {}, h("span", { className: "event" }, type.event), " ", h("span", {}, type.description)),
    body,
  );
  details.addEventListener("toggle", async () => {
    if (!details.open || body.dataset.loaded) return;
    try {
      const sample = await catalog.sample(type.event);
      body.dataset.loaded = "1";
      replace(
        body,
        h("p", { className: "hint" }, "A delivery's body, with made-up values:"),
        h("pre", { tabindex: "0", "aria-label": `Sample payload of ${type.event}` }, pretty(JSON.stringify(sample))),
      );
    } catch (error) {
      replace(body, h("p", { role: "alert" }, error.message));
    }
  });
  return h("li", {}, details);
}

export async function catalogView(context) {
  const { catalog } = context;
  const groups = await catalog.groups();
  return {
    title: "Event catalog",
    element: h(
      "div",
      {},
      h("h1", {}, "Event catalog"),
      h(
        "p",
        {},
        "Every event a webhook can receive. Each delivery is a JSON POST with the event name, the webhook, the record before and after the change, and the company, project and user.",
      ),
      groups.map((group) =>
        h(
          "section",
          { className: "card", "aria-labelledby": `group-${group.key}` },
          h("h2", { id: `group-${group.key}` }, group.label),
          h("ul", { className: "catalog" }, group.types.map((t) => eventEntry(catalog, t))),
        ),
      ),
    ),
  };
}
