// Portal links: company owners and admins hand someone else (a customer) a link that manages
// the webhooks of this company, or some of its projects, until it expires or is revoked.

import { announce, confirmDialog, copyButton, field, h, replace, time, uid } from "./dom.js";

const LIST = `query($c: String!) { portalSessions(companyId: $c) {
  id projectIds projects { id name } createdAt expiresAt } }`;
const CREATE = `mutation($i: CreatePortalSessionInput!) { createPortalSession(input: $i) {
  id url token expiresAt } }`;
const REVOKE = "mutation($s: String!) { revokePortalSession(input: { sessionId: $s }) { success } }";

export async function shareView(context) {
  const { api, projects } = context;
  const companyProjects = projects.filter((p) => p.companyId === api.company);
  const listSlot = h("div", {});
  const resultSlot = h("div", {});

  async function loadList() {
    let sessions;
    try {
      sessions = (await api.request(LIST, { c: api.company })).portalSessions;
    } catch (error) {
      replace(listSlot, h("p", { role: "alert" }, error.message));
      return;
    }
    if (!sessions.length) {
      replace(listSlot, h("p", { className: "empty" }, "No active portal links."));
      return;
    }
    replace(
      listSlot,
      h(
        "ul",
        { className: "sessions" },
        sessions.map((s) => {
          const revoke = h("button", { type: "button", className: "danger" }, "Revoke");
          revoke.addEventListener("click", async () => {
            const sure = await confirmDialog("Revoke this portal link?", "It stops working at once, for whoever holds it.", "Revoke link", true);
            if (!sure) return;
            await api.request(REVOKE, { s: s.id });
            announce("Portal link revoked");
            await loadList();
          });
          const scope = s.projectIds.length ? s.projects.map((p) => p.name).join(", ") : "every project";
          return h(
            "li",
            { className: "card" },
            h("p", {}, h("strong", {}, scope), " · expires ", time(s.expiresAt)),
            h("p", { className: "hint" }, `Session ${s.id}, created `, time(s.createdAt)),
            h("div", { className: "actions" }, revoke),
          );
        }),
      ),
    );
  }

  const every = h("input", { type: "radio", name: "share-scope", value: "all", id: uid("scope"), checked: true });
  const some = h("input", { type: "radio", name: "share-scope", value: "some", id: uid("scope") });
  const boxes = companyProjects.map((p) => {
    const id = uid("share-project");
    return h("div", { className: "check" }, h("input", { type: "checkbox", name: "share-project", value: p.id, id }), h("label", { for: id }, p.name));
  });
  const expiry = h(
    "select",
    {},
    [["15", "15 minutes"], ["60", "1 hour"], ["240", "4 hours"], ["1440", "24 hours"]].map(([v, l]) => h("option", { value: v, selected: v === "60" }, l)),
  );
  const error = h("p", { role: "alert", className: "form-error", hidden: true });
  const form = h(
    "form",
    { className: "card", novalidate: true },
    h(
      "fieldset",
      {},
      h("legend", {}, "What the link may manage"),
      h("div", { className: "check" }, every, h("label", { for: every.id }, "Webhooks of every project of the company")),
      h("div", { className: "check" }, some, h("label", { for: some.id }, "Only webhooks of these projects:")),
      h("div", { className: "events" }, boxes),
    ),
    field("Valid for", expiry),
    error,
    h("div", { className: "actions" }, h("button", { type: "submit" }, "Create portal link")),
  );
  form.addEventListener("change", (event) => {
    if (event.target.name === "share-project") some.checked = true;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const projectIds = some.checked ? [...form.querySelectorAll('input[name="share-project"]:checked')].map((i) => i.value) : [];
    if (some.checked && !projectIds.length) {
      error.textContent = "Choose at least one project.";
      error.hidden = false;
      return;
    }
    try {
      const made = (await api.request(CREATE, { i: { companyId: api.company, projectIds, expiresInMinutes: Number(expiry.value) } })).createPortalSession;
      replace(
        resultSlot,
        h(
          "div",
          { className: "card secret-card", role: "region", "aria-labelledby": "link-title" },
          h("h2", { id: "link-title", tabindex: "-1" }, "Portal link created"),
          h("p", {}, "Shown this once. Anyone holding it can manage these webhooks until ", time(made.expiresAt), "."),
          h("div", { className: "secret-row" }, h("code", { className: "secret" }, made.url), copyButton(made.url, "link")),
          h("p", { className: "hint" }, "The token is in the part after #, which browsers never send to a server. To embed the portal in your app, load this URL in an iframe from an origin listed in HOOKLINE_PORTAL_FRAME_ANCESTORS."),
        ),
      );
      resultSlot.querySelector("h2").focus();
      await loadList();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });
  await loadList();
  return {
    title: "Portal links",
    element: h(
      "div",
      {},
      h("h1", {}, "Portal links"),
      h("p", {}, "A portal link opens this page for someone who has no account: it manages only the webhooks you choose below, can do nothing else, and stops working when it expires or you revoke it."),
      form,
      resultSlot,
      h("section", { "aria-labelledby": "active-title" }, h("h2", { id: "active-title" }, "Active links"), listSlot),
    ),
  };
}
