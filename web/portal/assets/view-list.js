// The company's webhooks with their health and the last 24 hours at a glance.

import { ago, badge, h, ms, percent, time } from "./dom.js";

const WEBHOOKS = `query($t: Int) { webhooks(take: $t) { items {
  id name url status enabled events projectIds consecutiveFailures lastDeliveryAt lastFailureAt
  disabledReason } pageInfo { totalItems } } }`;

// Every webhook's last 24 h: aliases of webhookStats with one DAY bucket, 25 per request
// (the API allows 30 aliases per operation).
export async function lastDay(api, ids) {
  const to = new Date();
  const from = new Date(to.getTime() - 24 * 3600 * 1000);
  const chunks = [];
  for (let i = 0; i < ids.length; i += 25) chunks.push(statsOf(api, ids.slice(i, i + 25), from, to));
  return Object.assign({}, ...(await Promise.all(chunks)));
}

async function statsOf(api, ids, from, to) {
  const fields = ids
    .map((_, i) => `s${i}: webhookStats(webhookId: $w${i}, from: $f, to: $t, bucket: DAY) { succeeded failed pending p50Ms p95Ms }`)
    .join("\n");
  const declared = ids.map((_, i) => `$w${i}: String!`).join(", ");
  const variables = { f: from.toISOString(), t: to.toISOString() };
  ids.forEach((id, i) => {
    variables[`w${i}`] = id;
  });
  const data = await api.request(`query($f: DateTime!, $t: DateTime!, ${declared}) { ${fields} }`, variables);
  const found = {};
  ids.forEach((id, i) => {
    found[id] = data[`s${i}`][0];
  });
  return found;
}

export function health(webhook) {
  if (!webhook.enabled) return badge("Disabled", "muted");
  if (webhook.status === "HEALTHY") return badge("Healthy", "ok");
  return badge(`Failing (${webhook.consecutiveFailures} in a row)`, "failed");
}

export function scope(webhook, projects) {
  const events = webhook.events.length ? `${webhook.events.length} event${webhook.events.length > 1 ? "s" : ""}` : "All events";
  const names = webhook.projectIds.map((id) => (projects.find((p) => p.id === id) || { name: id }).name);
  return `${events} · ${names.length ? names.join(", ") : "every project"}`;
}

export async function listView(context) {
  const { api, projects } = context;
  const data = await api.request(WEBHOOKS, { t: 100 });
  const webhooks = data.webhooks.items;
  const stats = await lastDay(api, webhooks.map((w) => w.id));
  const heading = h("h1", {}, "Webhooks");
  const create = h("a", { href: "#/new", className: "button" }, "New webhook");
  if (!webhooks.length) {
    return {
      title: "Webhooks",
      element: h(
        "div",
        {},
        h("div", { className: "title-row" }, heading, create),
        h("p", { className: "empty" }, "No webhooks yet. Create one to receive a signed POST for every event you choose."),
      ),
    };
  }
  const rows = webhooks.map((w) => {
    const s = stats[w.id];
    const done = s.succeeded + s.failed;
    return h(
      "tr",
      {},
      h(
        "th",
        { scope: "row", "data-label": "Webhook" },
        h("a", { href: `#/w/${w.id}` }, w.name || w.url),
        w.name ? h("div", { className: "url" }, w.url) : null,
        h("div", { className: "hint" }, scope(w, projects)),
      ),
      h("td", { "data-label": "Health" }, health(w), w.disabledReason ? h("div", { className: "hint" }, w.disabledReason) : null),
      h("td", { "data-label": "Last delivery" }, w.lastDeliveryAt ? h("span", {}, ago(w.lastDeliveryAt), " ", h("span", { className: "hint" }, time(w.lastDeliveryAt))) : "never"),
      h("td", { "data-label": "Success, 24 h" }, percent(s.succeeded, done), h("div", { className: "hint" }, `${done + s.pending} deliveries`)),
      h("td", { "data-label": "p50 latency, 24 h" }, ms(s.p50Ms)),
    );
  });
  const table = h(
    "table",
    { className: "responsive" },
    h("caption", { className: "visually-hidden" }, "Webhooks, with the last 24 hours of deliveries"),
    h(
      "thead",
      {},
      h("tr", {}, ["Webhook", "Health", "Last delivery", "Success, 24 h", "p50 latency, 24 h"].map((c) => h("th", { scope: "col" }, c))),
    ),
    h("tbody", {}, rows),
  );
  return {
    title: "Webhooks",
    element: h("div", {}, h("div", { className: "title-row" }, heading, create), table),
  };
}
