// The event types: names, descriptions, groups and sample payloads. From the API's
// `webhookEventTypes` where the server has it, else from the WebhookEvent enum's descriptions
// (introspection) and `webhookSamplePayload`.

const GROUPS = [
  ["todo", "Todos", "todo"],
  ["checklist", "Checklists", "checklist"],
  ["comment", "Comments", "comment"],
  ["list", "Lists", "list"],
  ["tag", "Tags", "tag"],
  ["custom_field", "Custom fields", "custom field"],
];

export function groupOf(event) {
  if (event.startsWith("TODO_CHECKLIST")) return "checklist";
  if (event.startsWith("TODO_LIST")) return "list";
  if (event.startsWith("TODO_")) return "todo";
  if (event.startsWith("COMMENT_")) return "comment";
  if (event.startsWith("TAG_")) return "tag";
  return "custom_field";
}

export class Catalog {
  constructor(api) {
    this.api = api;
    this.types = null;
    this.samples = new Map();
    this.hasEventTypes = false;
  }

  async load() {
    if (this.types) return this.types;
    const found = await this.api.request(
      `{ query: __type(name: "Query") { fields { name } }
         events: __type(name: "WebhookEvent") { enumValues { name description } } }`,
    );
    this.hasEventTypes = found.query.fields.some((f) => f.name === "webhookEventTypes");
    if (this.hasEventTypes) {
      const data = await this.api.request(
        "{ webhookEventTypes { event group description sample } }",
      );
      this.types = data.webhookEventTypes.map((t) => ({
        event: t.event,
        group: t.group,
        description: t.description,
      }));
      for (const t of data.webhookEventTypes) this.samples.set(t.event, t.sample);
    } else {
      this.types = found.events.enumValues.map((v) => ({
        event: v.name,
        group: groupOf(v.name),
        description: v.description || "",
      }));
    }
    return this.types;
  }

  async groups() {
    const types = await this.load();
    return GROUPS.map(([key, label, singular]) => ({
      key,
      label,
      singular,
      types: types.filter((t) => t.group === key),
    })).filter((g) => g.types.length);
  }

  async sample(event) {
    if (!this.samples.has(event)) {
      const data = await this.api.request(
        "query($e: WebhookEvent!) { webhookSamplePayload(event: $e) }",
        { e: event },
      );
      this.samples.set(event, data.webhookSamplePayload);
    }
    return this.samples.get(event);
  }
}
