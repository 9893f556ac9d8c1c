// One instant trigger per event group, on REST Hooks: Zapier subscribes a URL of its own when a
// Zap is turned on (performSubscribe), deletes the hook when it is turned off
// (performUnsubscribe), turns each delivery into one item (perform), and shows recent real
// events while the Zap is built (performList). Every item has the event's stable `id`.

const catalog = require("./catalog.json");
const { GROUPS } = require("./catalog");
const { server } = require("./http");
const { verified } = require("./signature");

function eventsOf(group, bundle) {
  const chosen = bundle.inputData && bundle.inputData.event;
  return chosen ? [chosen] : Object.keys(catalog[group.key].events);
}

function projectIds(bundle) {
  const given = (bundle.inputData && bundle.inputData.project_ids) || [];
  return (Array.isArray(given) ? given : String(given).split(","))
    .map((id) => String(id).trim())
    .filter(Boolean);
}

function trigger(group) {
  const events = catalog[group.key].events;

  async function performSubscribe(z, bundle) {
    const projects = projectIds(bundle);
    const response = await z.request({
      url: `${server(bundle)}/rest-hooks`,
      method: "POST",
      json: {
        target_url: bundle.targetUrl,
        events: eventsOf(group, bundle),
        ...(projects.length ? { project_ids: projects } : {}),
        name: `Zapier: ${group.label}`,
      },
    });
    return response.data; // {id, secret, …}: Zapier keeps it as bundle.subscribeData
  }

  async function performUnsubscribe(z, bundle) {
    // 204, also when the hook is already gone.
    await z.request({
      url: `${server(bundle)}/rest-hooks/${encodeURIComponent(bundle.subscribeData.id)}`,
      method: "DELETE",
    });
    return {};
  }

  function perform(z, bundle) {
    const body = bundle.cleanedRequest;
    const secret = bundle.subscribeData && bundle.subscribeData.secret;
    if (verified(bundle.rawRequest, secret) === false) {
      z.console.log("Dropped a request whose X-Signature does not match the hook's secret");
      return [];
    }
    // Health checks and events outside the trigger's choice are not items.
    if (!body || !eventsOf(group, bundle).includes(body.event)) return [];
    return [body];
  }

  async function performList(z, bundle) {
    const params = { event: eventsOf(group, bundle).join(","), limit: "3" };
    if (bundle.subscribeData && bundle.subscribeData.id) params.hook_id = bundle.subscribeData.id;
    const response = await z.request({ url: `${server(bundle)}/rest-hooks/recent`, params });
    return response.data;
  }

  return {
    key: `${group.key}_event`,
    noun: group.noun,
    display: {
      label: `New ${group.label}`,
      description: `Triggers at once when ${group.about} is created, changed or deleted.`,
    },
    operation: {
      type: "hook",
      inputFields: [
        {
          key: "event",
          label: "Event",
          required: false,
          choices: events,
          helpText: `Which change of ${group.about}; leave empty for every one.`,
        },
        {
          key: "project_ids",
          label: "Project IDs",
          required: false,
          list: true,
          helpText:
            "Only these projects (you must be ADMIN of each); leave empty for every project " +
            "of the company (you must be a company OWNER or ADMIN).",
        },
      ],
      performSubscribe,
      performUnsubscribe,
      perform,
      performList,
      sample: catalog[group.key].sample,
    },
  };
}

const triggers = Object.fromEntries(GROUPS.map((group) => [`${group.key}_event`, trigger(group)]));

module.exports = { triggers, GROUPS };
