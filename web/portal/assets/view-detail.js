// One webhook: its health, a chart of the last hour/day/week, what can be done to it, and its
// delivery log (filters, keyset pages, each attempt's request and response, redelivery).

import { chart } from "./chart.js";
import {
  announce,
  badge,
  confirmDialog,
  copyButton,
  field,
  h,
  ms,
  pretty,
  replace,
  time,
  uid,
} from "./dom.js";
import { secretPanel } from "./view-form.js";
import { health, scope } from "./view-list.js";

const READ = `query($w: String!) { webhook(id: $w) { id name url status enabled events projectIds
  consecutiveFailures lastDeliveryAt lastFailureAt disabledReason createdAt } }`;
const STATS = `query($w: String!, $f: DateTime!, $t: DateTime!, $b: StatsBucket) {
  webhookStats(webhookId: $w, from: $f, to: $t, bucket: $b) { start succeeded failed pending p50Ms p95Ms } }`;
const LOG = `query($w: String!, $f: DeliveryLogFilter, $a: String, $b: String) {
  webhookDeliveryLog(webhookId: $w, filter: $f, after: $a, before: $b, take: 20) {
    items { id event status attemptCount createdAt nextAttemptAt attempts { number statusCode error durationMs } }
    startCursor endCursor hasNextPage hasPreviousPage } }`;
const ONE = `query($d: String!) { webhookDelivery(id: $d) { id event status messageId eventId attemptCount
  nextAttemptAt createdAt attempts { number startedAt durationMs statusCode error responseBody
  requestHeaders requestBody } } }`;
const REDELIVER = "mutation($d: String!) { redeliverWebhookDelivery(input: { deliveryId: $d }) { id status } }";
const RECOVER = "mutation($w: String!, $s: DateTime!) { recoverWebhook(input: { webhookId: $w, since: $s }) }";
const TEST = "mutation($w: String!, $e: WebhookEvent) { testWebhook(input: { webhookId: $w, event: $e }) { id status attempts { statusCode error durationMs } } }";
const ROTATE = "mutation($w: String!, $g: Int!) { rotateWebhookSecret(input: { webhookId: $w, gracePeriodSeconds: $g }) { id secret } }";
const ENABLE = "mutation($w: String!) { updateWebhook(input: { webhookId: $w, enabled: true }) { id enabled status disabledReason } }";
const DISABLE = "mutation($w: String!) { disableWebhook(input: { webhookId: $w }) { success } }";
const DELETE = "mutation($w: String!) { deleteWebhook(input: { webhookId: $w }) { success } }";

const RANGES = [
  ["hour", "Last hour, by minute", 3600, "MINUTE"],
  ["day", "Last 24 hours, by hour", 24 * 3600, "HOUR"],
  ["week", "Last 7 days, by day", 7 * 24 * 3600, "DAY"],
];
const REFRESH_MS = 3000;

function statusBadge(status) {
  return badge(status.charAt(0) + status.slice(1).toLowerCase(), { SUCCEEDED: "ok", FAILED: "failed", PENDING: "pending" }[status]);
}

function localInput(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export async function detailView(context, webhookId) {
  const { api, projects, catalog } = context;
  const webhook = (await api.request(READ, { w: webhookId })).webhook;
  const types = await catalog.load();
  const title = webhook.name || webhook.url;
  const status = h("div", { role: "status", className: "status-line" });
  const say = (message) => {
    status.textContent = message;
  };

  // -- overview and actions ------------------------------------------------------------
  const toggle = h("button", { type: "button", className: "secondary" }, webhook.enabled ? "Disable" : "Enable");
  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    try {
      if (webhook.enabled) {
        await api.request(DISABLE, { w: webhookId });
        say("Disabled: no deliveries are sent until it is enabled again.");
      } else {
        const done = (await api.request(ENABLE, { w: webhookId })).updateWebhook;
        say(done.enabled ? "Enabled: the health check succeeded." : `Still disabled: ${done.disabledReason || "the health check failed"}.`);
      }
      await context.refresh();
    } catch (error) {
      say(error.message);
    } finally {
      toggle.disabled = false;
    }
  });
  const remove = h("button", { type: "button", className: "danger" }, "Delete");
  remove.addEventListener("click", async () => {
    const sure = await confirmDialog(
      "Delete this webhook?",
      h("p", {}, "Deliveries to ", h("code", {}, webhook.url), " stop at once, and its delivery log is deleted with it. This cannot be undone."),
      "Delete webhook",
      true,
    );
    if (!sure) return;
    await api.request(DELETE, { w: webhookId });
    announce("Webhook deleted");
    context.navigate("#/");
  });
  const healthLine = h("p", {}, health(webhook), " ", h("span", { className: "hint" }, scope(webhook, projects)));
  const overview = h(
    "section",
    { "aria-labelledby": "overview-title", className: "card" },
    h("h2", { id: "overview-title", className: "visually-hidden" }, "Overview"),
    h("p", { className: "url" }, webhook.url),
    healthLine,
    webhook.disabledReason ? h("p", { className: "hint" }, `Why: ${webhook.disabledReason}`) : null,
    h("dl", { className: "facts" },
      h("dt", {}, "Last delivery"), h("dd", {}, time(webhook.lastDeliveryAt)),
      h("dt", {}, "Last failure"), h("dd", {}, time(webhook.lastFailureAt)),
      h("dt", {}, "Failures in a row"), h("dd", {}, String(webhook.consecutiveFailures)),
    ),
    h("div", { className: "actions" }, h("a", { href: `#/w/${webhookId}/edit`, className: "button secondary" }, "Edit"), toggle, remove),
    status,
  );

  // -- chart ---------------------------------------------------------------------------
  const rangeSelect = h("select", { id: uid("range") }, RANGES.map(([key, label]) => h("option", { value: key, selected: key === "day" }, label)));
  const chartSlot = h("div", { className: "chart-slot" });
  const drawChart = async () => {
    const [, label, seconds, bucket] = RANGES.find((r) => r[0] === rangeSelect.value);
    // Buckets end now and are aligned to the bucket length, so bars are whole minutes/hours/days.
    const size = { MINUTE: 60e3, HOUR: 3600e3, DAY: 86400e3 }[bucket];
    const to = new Date(Math.ceil(Date.now() / size) * size);
    const from = new Date(to.getTime() - seconds * 1000);
    const data = await api.request(STATS, { w: webhookId, f: from.toISOString(), t: to.toISOString(), b: bucket });
    replace(chartSlot, chart(data.webhookStats, bucket, `Deliveries and latency, ${label.toLowerCase()}`));
  };
  rangeSelect.addEventListener("change", drawChart);
  await drawChart();
  const chartSection = h(
    "section",
    { "aria-labelledby": "chart-title", className: "card" },
    h("h2", { id: "chart-title" }, "Volume, failures and latency"),
    field("Period", rangeSelect),
    chartSlot,
  );

  // -- tools: test, rotate, recover ------------------------------------------------------
  const testEvent = h("select", {}, types.map((t) => h("option", { value: t.event, selected: webhook.events.length ? t.event === webhook.events[0] : t.event === "TODO_CREATED" }, t.event)));
  const testResult = h("p", { role: "status", className: "status-line" });
  const testButton = h("button", { type: "button" }, "Send test event");
  testButton.addEventListener("click", async () => {
    testButton.disabled = true;
    testResult.textContent = "Sending…";
    try {
      const sent = (await api.request(TEST, { w: webhookId, e: testEvent.value })).testWebhook;
      const [attempt] = sent.attempts;
      testResult.textContent = attempt && attempt.statusCode
        ? `Answered ${attempt.statusCode} in ${ms(attempt.durationMs)}${attempt.error ? ` (${attempt.error})` : ""}.`
        : `Not delivered: ${(attempt && attempt.error) || "no answer"}.`;
      await loadLog();
    } catch (error) {
      testResult.textContent = error.message;
    } finally {
      testButton.disabled = false;
    }
  });

  const grace = h(
    "select",
    {},
    [["0", "None: the old secret stops at once"], ["3600", "1 hour"], ["86400", "24 hours"], ["604800", "7 days"]].map(([v, l]) => h("option", { value: v, selected: v === "86400" }, l)),
  );
  const rotateButton = h("button", { type: "button", className: "secondary" }, "Rotate secret");
  const rotateSlot = h("div", {});
  rotateButton.addEventListener("click", async () => {
    const sure = await confirmDialog(
      "Rotate the signing secret?",
      h("p", {}, "A new secret is made and shown once. ", grace.value === "0" ? "The old one stops signing at once." : `For ${grace.selectedOptions[0].textContent} deliveries also carry a webhook-signature made with the old secret, so receivers can switch without losing any.`),
      "Rotate secret",
    );
    if (!sure) return;
    try {
      const rotated = (await api.request(ROTATE, { w: webhookId, g: Number(grace.value) })).rotateWebhookSecret;
      const note = grace.value === "0"
        ? "The old secret no longer signs anything."
        : `Grace period: ${grace.selectedOptions[0].textContent}. Until it ends, each delivery's webhook-signature header holds two signatures (new and old secret); X-Signature uses the new secret only.`;
      const panel = secretPanel("New signing secret", rotated.secret, webhookId, note);
      replace(rotateSlot, h("div", { className: "card secret-card", role: "region", "aria-label": "New signing secret" }, [...panel.querySelector(".secret-card").children]));
      rotateSlot.querySelector("code").setAttribute("tabindex", "-1");
      rotateSlot.querySelector("code").focus();
      announce("New secret shown once below");
    } catch (error) {
      replace(rotateSlot, h("p", { role: "alert" }, error.message));
    }
  });

  const since = h("input", { type: "datetime-local" });
  since.value = localInput(new Date(Date.now() - 24 * 3600 * 1000));
  const recoverResult = h("p", { role: "status", className: "status-line" });
  const recoverButton = h("button", { type: "button", className: "secondary" }, "Recover failed deliveries");
  recoverButton.addEventListener("click", async () => {
    try {
      const count = (await api.request(RECOVER, { w: webhookId, s: new Date(since.value).toISOString() })).recoverWebhook;
      recoverResult.textContent = count ? `${count} failed deliveries queued again.` : "No failed deliveries since then.";
      await loadLog();
    } catch (error) {
      recoverResult.textContent = error.message;
    }
  });

  const tools = h(
    "section",
    { "aria-labelledby": "tools-title", className: "card tools" },
    h("h2", { id: "tools-title" }, "Tools"),
    h("div", { className: "tool" }, h("h3", {}, "Send a test event"), field("Event", testEvent, "A signed sample of this event is sent now, once, and recorded in the log."), testButton, testResult),
    h("div", { className: "tool" }, h("h3", {}, "Rotate the signing secret"), field("Grace period", grace, "How long deliveries stay signed with the old secret too, so receivers can switch over."), rotateButton, rotateSlot),
    h("div", { className: "tool" }, h("h3", {}, "Recover failed deliveries"), field("Failed since", since, "Every delivery that failed for good since then is queued again, on a fresh retry schedule."), recoverButton, recoverResult),
  );

  // -- delivery log ----------------------------------------------------------------------
  const filterStatus = h("select", { name: "status" }, [["", "Any status"], ["SUCCEEDED", "Succeeded"], ["FAILED", "Failed"], ["PENDING", "Pending"]].map(([v, l]) => h("option", { value: v }, l)));
  const filterEvent = h("select", { name: "event" }, h("option", { value: "" }, "Any event"), types.map((t) => h("option", { value: t.event }, t.event)), h("option", { value: "WEBHOOK_HEALTH_CHECK" }, "WEBHOOK_HEALTH_CHECK"));
  const filterFrom = h("input", { type: "datetime-local", name: "from" });
  const filterTo = h("input", { type: "datetime-local", name: "to" });
  const live = h("input", { type: "checkbox", id: uid("live"), checked: true });
  const filters = h(
    "form",
    { className: "filters", "aria-label": "Filter the delivery log" },
    field("Status", filterStatus),
    field("Event", filterEvent),
    field("From", filterFrom),
    field("To", filterTo),
    h("div", { className: "actions" }, h("button", { type: "submit", className: "secondary" }, "Apply filters")),
  );
  const list = h("ul", { className: "deliveries", "aria-label": "Deliveries, newest first" });
  const logStatus = h("p", { className: "hint", role: "status" });
  const newer = h("button", { type: "button", className: "secondary" }, "Newer");
  const older = h("button", { type: "button", className: "secondary" }, "Older");
  const pager = h("nav", { className: "pager", "aria-label": "Delivery log pages" }, newer, older);
  const shown = new Map(); // delivery id → its <li>, kept across refreshes so open ones stay open
  let page = { after: null, before: null };
  let current = null;
  const seen = new Set();
  let chartDrawn = Date.now();

  const filterValue = () => {
    const value = {};
    if (filterStatus.value) value.status = filterStatus.value;
    if (filterEvent.value) value.event = filterEvent.value;
    if (filterFrom.value) value.from = new Date(filterFrom.value).toISOString();
    if (filterTo.value) value.to = new Date(filterTo.value).toISOString();
    return Object.keys(value).length ? value : null;
  };

  async function loadLog() {
    const data = (await api.request(LOG, { w: webhookId, f: filterValue(), a: page.after, b: page.before })).webhookDeliveryLog;
    current = data;
    const ids = new Set(data.items.map((d) => d.id));
    for (const [id, item] of shown) {
      if (!ids.has(id)) {
        item.remove();
        shown.delete(id);
      }
    }
    data.items.forEach((delivery, index) => {
      let item = shown.get(delivery.id);
      if (!item) {
        item = deliveryItem(api, delivery, loadLog);
        shown.set(delivery.id, item);
      } else {
        item.update(delivery);
      }
      if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
    });
    // New deliveries on the newest page: the chart has news too (at most every 10 s).
    const arrived = data.items.some((d) => !seen.has(d.id));
    for (const d of data.items) seen.add(d.id);
    if (arrived && !page.after && !page.before && Date.now() - chartDrawn > 10000) {
      chartDrawn = Date.now();
      drawChart().catch(() => {});
    }
    newer.disabled = !data.hasPreviousPage;
    older.disabled = !data.hasNextPage;
    logStatus.textContent = data.items.length
      ? `Showing ${data.items.length} deliveries${page.after || page.before ? "" : ", newest first"}. Updated ${new Date().toLocaleTimeString()}.`
      : "No deliveries match.";
  }

  filters.addEventListener("submit", async (event) => {
    event.preventDefault();
    page = { after: null, before: null };
    await loadLog();
  });
  newer.addEventListener("click", async () => {
    page = { after: null, before: current.startCursor };
    await loadLog();
    if (!current.hasPreviousPage) page = { after: null, before: null };
  });
  older.addEventListener("click", async () => {
    page = { after: current.endCursor, before: null };
    await loadLog();
  });
  await loadLog();

  // The newest page follows new deliveries as they come, unless switched off.
  const timer = window.setInterval(() => {
    if (live.checked && !page.after && !page.before && !document.hidden) loadLog().catch(() => {});
  }, REFRESH_MS);

  const log = h(
    "section",
    { "aria-labelledby": "log-title", className: "card" },
    h("h2", { id: "log-title" }, "Delivery log"),
    filters,
    h("div", { className: "check" }, live, h("label", { for: live.id }, "Show new deliveries as they arrive (newest page)")),
    logStatus,
    list,
    pager,
  );

  const element = h(
    "div",
    {},
    h("p", { className: "breadcrumb" }, h("a", { href: "#/" }, "Webhooks"), " / "),
    h("h1", {}, title),
    overview,
    chartSection,
    log,
    tools,
  );
  context.refresh = async () => {
    const fresh = (await api.request(READ, { w: webhookId })).webhook;
    Object.assign(webhook, fresh);
    toggle.textContent = webhook.enabled ? "Disable" : "Enable";
    replace(healthLine, health(webhook), " ", h("span", { className: "hint" }, scope(webhook, projects)));
  };
  return { title, element, leave: () => window.clearInterval(timer) };
}

function summaryOf(delivery) {
  const last = delivery.attempts[delivery.attempts.length - 1];
  const outcome = last ? (last.statusCode ? `HTTP ${last.statusCode}` : last.error || "no answer") : "not attempted yet";
  return [
    statusBadge(delivery.status),
    " ",
    h("span", { className: "event" }, delivery.event),
    " ",
    h("span", { className: "hint" }, time(delivery.createdAt), ` · ${delivery.attemptCount} attempt${delivery.attemptCount === 1 ? "" : "s"} · ${outcome}`),
  ];
}

function deliveryItem(api, delivery, reload) {
  const summary = h("summary", {}, summaryOf(delivery));
  const body = h("div", { className: "delivery-body" }, h("p", { className: "hint" }, "Loading…"));
  const details = h("details", {}, summary, body);
  const item = h("li", { "data-delivery": delivery.id }, details);
  let loadedStatus = null;
  const load = async () => {
    const full = (await api.request(ONE, { d: delivery.id })).webhookDelivery;
    loadedStatus = `${full.status}/${full.attemptCount}`;
    replace(body, deliveryBody(api, full, reload));
  };
  details.addEventListener("toggle", () => {
    if (details.open) load().catch((error) => replace(body, h("p", { role: "alert" }, error.message)));
  });
  item.update = (fresh) => {
    replace(summary, summaryOf(fresh));
    if (details.open && loadedStatus !== `${fresh.status}/${fresh.attemptCount}`) load().catch(() => {});
  };
  return item;
}

function deliveryBody(api, delivery, reload) {
  const redeliver = h("button", { type: "button" }, "Redeliver");
  const result = h("p", { role: "status", className: "status-line" });
  redeliver.addEventListener("click", async () => {
    redeliver.disabled = true;
    try {
      const done = (await api.request(REDELIVER, { d: delivery.id })).redeliverWebhookDelivery;
      result.textContent = done.status === "PENDING" ? "Queued: its next attempt is due now." : `Redelivered: ${done.status.toLowerCase()}.`;
      await reload();
    } catch (error) {
      result.textContent = error.message;
    } finally {
      redeliver.disabled = false;
    }
  });
  return h(
    "div",
    {},
    h("dl", { className: "facts" },
      h("dt", {}, "webhook-id"), h("dd", {}, h("code", {}, delivery.messageId)),
      h("dt", {}, "Event id"), h("dd", {}, delivery.eventId || "— (test or health check)"),
      delivery.nextAttemptAt ? [h("dt", {}, "Next attempt"), h("dd", {}, time(delivery.nextAttemptAt))] : null,
    ),
    h("div", { className: "actions" }, redeliver, copyButton(delivery.messageId, "webhook-id")),
    result,
    delivery.attempts.length ? h("ol", { className: "attempts" }, delivery.attempts.map(attemptItem)) : h("p", { className: "hint" }, "No attempt yet."),
  );
}

function attemptItem(attempt) {
  const headers = attempt.requestHeaders
    ? Object.entries(attempt.requestHeaders).map(([k, v]) => `${k}: ${v}`).join("\n")
    : null;
  return h(
    "li",
    { className: "attempt" },
    h(
      "h4",
      {},
      `Attempt ${attempt.number}: `,
      attempt.statusCode ? `HTTP ${attempt.statusCode}` : "no answer",
      ` in ${ms(attempt.durationMs)}`,
    ),
    h("p", { className: "hint" }, "Sent ", time(attempt.startedAt), attempt.error && attempt.error !== `HTTP ${attempt.statusCode}` ? ` · ${attempt.error}` : ""),
    h("h5", {}, "Request headers"),
    headers ? h("pre", { tabindex: "0" }, headers) : h("p", { className: "hint" }, "Nothing was sent."),
    h("h5", {}, "Request body"),
    attempt.requestBody !== null
      ? [
          h("pre", { tabindex: "0", "aria-label": `Request body of attempt ${attempt.number}, formatted` }, pretty(attempt.requestBody)),
          copyButton(attempt.requestBody, "body exactly as sent"),
        ]
      : h("p", { className: "hint" }, "Not available: its event is past the event retention, or nothing was sent."),
    h("h5", {}, "Response body"),
    attempt.responseBody ? h("pre", { tabindex: "0", "aria-label": `Response body of attempt ${attempt.number}` }, attempt.responseBody) : h("p", { className: "hint" }, "Empty."),
  );
}
