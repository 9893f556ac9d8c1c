// Create or edit a webhook: URL, name, events grouped by entity, project scope, record filters.
// The API's errors are shown at the field they name (extensions.field).

import { announce, clearFieldErrors, copyButton, field, h, showFieldError, uid } from "./dom.js";

const READ = `query($w: String!) { webhook(id: $w) { id name url events projectIds
  filters { todoListIds tagIds assigneeIds customFieldIds } } }`;
const CREATE = "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id secret } }";
const UPDATE = "mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { id } }";
const FILTERS = [
  ["todoListIds", "Todo lists"],
  ["tagIds", "Tags"],
  ["assigneeIds", "Assignees"],
  ["customFieldIds", "Custom fields"],
];

function choice(name, value, label, checked) {
  const id = uid(name);
  return h(
    "div",
    { className: "check" },
    h("input", { type: "radio", name, value, id, checked }),
    h("label", { for: id }, label),
  );
}

function checkbox(name, value, label, checked, hint) {
  const id = uid(name);
  return h(
    "div",
    { className: "check" },
    h("input", { type: "checkbox", name, value, id, checked, "aria-describedby": hint ? `${id}-hint` : null }),
    h("label", { for: id }, label),
    hint ? h("span", { className: "hint", id: `${id}-hint` }, hint) : null,
  );
}

// A group of events with a "select all" box kept in step with its members.
function eventGroup(group, chosen) {
  const boxes = group.types.map((t) => checkbox("event", t.event, t.event, chosen.has(t.event), t.description));
  const inputs = boxes.map((b) => b.querySelector("input"));
  const allId = uid("all");
  const all = h("input", { type: "checkbox", id: allId, className: "select-all" });
  const sync = () => {
    const on = inputs.filter((i) => i.checked).length;
    all.checked = on === inputs.length;
    all.indeterminate = on > 0 && on < inputs.length;
  };
  all.addEventListener("change", () => {
    for (const input of inputs) input.checked = all.checked;
    sync();
  });
  for (const input of inputs) input.addEventListener("change", sync);
  sync();
  return h(
    "fieldset",
    { className: "event-group" },
    h("legend", {}, group.label),
    h("div", { className: "check" }, all, h("label", { for: allId }, `All ${group.singular} events`)),
    h("div", { className: "events" }, boxes),
  );
}

export async function formView(context, webhookId) {
  const { api, portal, projects, catalog } = context;
  const editing = Boolean(webhookId);
  const current = editing ? (await api.request(READ, { w: webhookId })).webhook : null;
  const groups = await catalog.groups();
  const companyProjects = projects.filter((p) => !api.company || p.companyId === api.company);
  const everyProjectAllowed = !portal || portal.projectIds.length === 0;

  const url = h("input", { type: "url", name: "url", required: true, autocomplete: "off", inputmode: "url" });
  url.value = current ? current.url : "";
  const name = h("input", { type: "text", name: "name", autocomplete: "off" });
  name.value = current && current.name ? current.name : "";

  const chosenEvents = new Set(current ? current.events : []);
  const allEvents = !current || current.events.length === 0;
  const eventsSet = h(
    "fieldset",
    { id: uid("events"), "aria-describedby": "events-error" },
    h("legend", {}, "Events"),
    choice("events-mode", "all", "Every event, including event types added later", allEvents),
    choice("events-mode", "some", "Only the events chosen below", !allEvents),
    h("div", { className: "event-groups" }, groups.map((g) => eventGroup(g, chosenEvents))),
    h("p", { className: "field-error", id: "events-error", hidden: true }),
  );
  // The events to choose from are shown only when choosing.
  const eventGroups = eventsSet.querySelector(".event-groups");
  const showEvents = () => {
    eventGroups.hidden = !eventsSet.querySelector('input[value="some"]').checked;
  };
  eventsSet.addEventListener("change", showEvents);
  showEvents();

  const chosenProjects = new Set(current ? current.projectIds : []);
  const allProjects = everyProjectAllowed && (!current || current.projectIds.length === 0);
  const projectsSet = h(
    "fieldset",
    { "aria-describedby": "projects-error" },
    h("legend", {}, "Projects"),
    everyProjectAllowed ? choice("projects-mode", "all", "Every project (needs company owner or admin)", allProjects) : null,
    everyProjectAllowed ? choice("projects-mode", "some", "Only the projects chosen below", !allProjects) : null,
    h(
      "div",
      { className: "events" },
      companyProjects.map((p) => checkbox("project", p.id, p.name, chosenProjects.has(p.id))),
    ),
    h("p", { className: "field-error", id: "projects-error", hidden: true }),
  );
  const projectList = projectsSet.querySelector(".events");
  const showProjects = () => {
    projectList.hidden = everyProjectAllowed && !projectsSet.querySelector('input[value="some"]').checked;
  };
  projectsSet.addEventListener("change", showProjects);
  showProjects();

  const filterInputs = {};
  const filtersSet = h(
    "fieldset",
    {},
    h("legend", {}, "Record filters (optional)"),
    h("p", { className: "hint" }, "Only records that match every list you fill in (any id within a list). Ids separated by commas or spaces."),
    FILTERS.map(([key, label]) => {
      const input = h("input", { type: "text", name: key, autocomplete: "off" });
      input.value = current && current.filters && current.filters[key] ? current.filters[key].join(", ") : "";
      filterInputs[key] = input;
      return field(label, input);
    }),
  );

  const formError = h("div", { className: "form-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit" }, editing ? "Save changes" : "Create webhook");
  const form = h(
    "form",
    { className: "card", novalidate: true },
    formError,
    field("Endpoint URL", url, "Where the signed POSTs go: http or https."),
    field("Name (optional)", name),
    eventsSet,
    projectsSet,
    filtersSet,
    h("div", { className: "actions" }, submit, h("a", { href: editing ? `#/w/${webhookId}` : "#/", className: "button secondary" }, "Cancel")),
  );
  const view = h("div", {}, h("h1", {}, editing ? "Edit webhook" : "New webhook"), form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    formError.hidden = true;
    for (const slot of form.querySelectorAll("fieldset > .field-error")) slot.hidden = true;
    const input = { url: url.value.trim(), name: name.value.trim() || null };
    const someEvents = eventsSet.querySelector('input[value="some"]').checked;
    input.events = someEvents ? [...eventsSet.querySelectorAll('input[name="event"]:checked')].map((i) => i.value) : [];
    if (someEvents && input.events.length === 0) {
      showGroupError(eventsSet, "events-error", "Choose at least one event, or every event.");
      return;
    }
    const someProjects = !everyProjectAllowed || projectsSet.querySelector('input[value="some"]').checked;
    input.projectIds = someProjects ? [...projectsSet.querySelectorAll('input[name="project"]:checked')].map((i) => i.value) : [];
    if (someProjects && input.projectIds.length === 0) {
      showGroupError(projectsSet, "projects-error", "Choose at least one project.");
      return;
    }
    const filters = {};
    for (const [key] of FILTERS) {
      const ids = filterInputs[key].value.split(/[\s,]+/).filter(Boolean);
      if (ids.length) filters[key] = ids;
    }
    input.filters = Object.keys(filters).length ? filters : null;
    submit.disabled = true;
    try {
      if (editing) {
        await api.request(UPDATE, { i: { webhookId, ...input } });
        announce("Webhook saved");
        context.navigate(`#/w/${webhookId}`);
      } else {
        const made = (await api.request(CREATE, { i: input })).createWebhook;
        view.replaceChildren(...secretPanel("Webhook created", made.secret, made.id).children);
        view.querySelector("h1").focus();
      }
    } catch (error) {
      showApiError(error, { url, name, filterInputs, eventsSet, projectsSet, formError });
    } finally {
      submit.disabled = false;
    }
  });
  return { title: editing ? "Edit webhook" : "New webhook", element: view };
}

function showGroupError(fieldset, slotId, message) {
  const slot = fieldset.querySelector(`#${slotId}`);
  slot.textContent = message;
  slot.hidden = false;
  fieldset.setAttribute("aria-invalid", "true");
  const first = fieldset.querySelector("input");
  if (first) first.focus();
}

function showApiError(error, parts) {
  const { url, name, filterInputs, eventsSet, projectsSet, formError } = parts;
  const target = {
    url,
    name,
    "filters.todoListIds": filterInputs.todoListIds,
    "filters.tagIds": filterInputs.tagIds,
    "filters.assigneeIds": filterInputs.assigneeIds,
    "filters.customFieldIds": filterInputs.customFieldIds,
  }[error.field];
  if (target) {
    showFieldError(target, error.message);
    target.focus();
  } else if (error.field === "projectIds") {
    showGroupError(projectsSet, "projects-error", error.message);
  } else if (error.field === "events") {
    showGroupError(eventsSet, "events-error", error.message);
  } else {
    formError.textContent = error.message;
    formError.hidden = false;
    formError.setAttribute("tabindex", "-1");
    formError.focus();
  }
}

// The secret, shown once after createWebhook or rotateWebhookSecret.
export function secretPanel(title, secret, webhookId, note) {
  const code = h("code", { className: "secret", id: uid("secret") }, secret);
  return h(
    "div",
    {},
    h("h1", { tabindex: "-1" }, title),
    h(
      "div",
      { className: "card secret-card" },
      h("p", { className: "strong" }, "Signing secret: shown this once. Copy it now; Hookline keeps no readable copy."),
      h("div", { className: "secret-row" }, code, copyButton(secret, "secret")),
      note ? h("p", {}, note) : null,
      h("p", { className: "hint" }, "Verify each delivery's webhook-signature header with a Standard Webhooks library, or X-Signature: the hex HMAC-SHA256 of the raw body keyed with this whole string."),
    ),
    h("p", {}, h("a", { href: `#/w/${webhookId}`, className: "button" }, "Go to the webhook")),
  );
}
