// The event groups the triggers are built from: one trigger per group (API.md §8's groups).
// catalog.json holds each group's event types and a sample body, as the server's event
// catalog has them (scripts/catalog.js writes it; the tests compare it with a live server).

const GROUPS = [
  { key: "todo", noun: "Todo", label: "Todo Event", about: "a todo" },
  { key: "checklist", noun: "Checklist", label: "Checklist Event", about: "a checklist or its items" },
  { key: "comment", noun: "Comment", label: "Comment Event", about: "a comment" },
  { key: "list", noun: "Todo List", label: "Todo List Event", about: "a todo list" },
  { key: "tag", noun: "Tag", label: "Tag Event", about: "a tag" },
  { key: "custom_field", noun: "Custom Field", label: "Custom Field Event", about: "a custom field" },
];

// The catalog file's content from GET /rest-hooks/event-types: per group, its events (with
// descriptions, in the server's order) and the sample of its first event.
function fromEventTypes(types) {
  const groups = {};
  for (const type of types) {
    const group = (groups[type.group] = groups[type.group] || { events: {}, sample: type.sample });
    group.events[type.event] = type.description;
  }
  return groups;
}

module.exports = { GROUPS, fromEventTypes };
