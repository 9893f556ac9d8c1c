// The webhook portal: signs in with an API token or a portal link, then routes between views.
// The token lives in sessionStorage only: it is gone when the tab closes.

import { Api } from "./api.js";
import { Catalog } from "./catalog.js";
import { announce, h, replace } from "./dom.js";
import { catalogView } from "./view-catalog.js";
import { detailView } from "./view-detail.js";
import { formView } from "./view-form.js";
import { listView } from "./view-list.js";
import { shareView } from "./view-share.js";
import { Tail, tailView } from "./view-tail.js";

const TOKEN = "hookline.portal.token";
const COMPANY = "hookline.portal.company";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");

const state = { api: null, portal: null, companies: [], projects: [], catalog: null, tail: null };

function takeTokenFromLink() {
  // A portal link carries its token in the fragment (#token=…), which no server ever sees.
  const match = window.location.hash.match(/^#token=([^&]+)/);
  if (!match) return;
  sessionStorage.setItem(TOKEN, decodeURIComponent(match[1]));
  sessionStorage.removeItem(COMPANY);
  history.replaceState(null, "", `${window.location.pathname}#/`);
}

function signOut(message) {
  if (state.tail) state.tail.stop();
  const wasPortal = state.api && state.api.isPortal;
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(COMPANY);
  Object.assign(state, { api: null, portal: null, companies: [], projects: [], tail: null });
  if (wasPortal) {
    endedView(message);
  } else {
    loginView(message);
  }
}

function endedView(message) {
  nav.hidden = true;
  replace(who);
  document.title = "Portal link ended · Hookline";
  replace(
    main,
    h("h1", { tabindex: "-1" }, "This portal link no longer works"),
    h("p", { role: "alert" }, message || "It has expired or was revoked."),
    h("p", {}, "Ask whoever gave you the link for a new one."),
  );
  main.querySelector("h1").focus();
}

function loginView(message) {
  nav.hidden = true;
  replace(who);
  document.title = "Sign in · Hookline webhooks";
  const input = h("input", {
    id: "token",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "token-hint token-error",
  });
  const error = h("p", { id: "token-error", className: "field-error", role: "alert", hidden: !message }, message || "");
  const form = h(
    "form",
    { className: "card narrow", novalidate: true },
    h("div", { className: "field" }, h("label", { for: "token" }, "API token"), h("p", { id: "token-hint", className: "hint" }, "A token from `hookline token create` or `bootstrap` (tokenId.tokenSecret). It is kept in this tab only, until you close it."), input, error),
    h("div", { className: "actions" }, h("button", { type: "submit" }, "Sign in")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = input.value.trim().replace(/^Bearer\s+/i, "");
    if (!token) {
      error.textContent = "Paste a token first.";
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    sessionStorage.setItem(TOKEN, token);
    await start();
  });
  replace(main, h("h1", { tabindex: "-1" }, "Sign in"), form);
  input.focus();
}

async function loadUser(api) {
  const features = await api.request('{ user: __type(name: "User") { fields { name } } }');
  const hasCompanies = features.user.fields.some((f) => f.name === "companies");
  const data = await api.request(
    `{ currentUser { id email ${hasCompanies ? "companies { id name role }" : ""} }
       projectList { id name companyId } }`,
  );
  state.projects = data.projectList;
  if (hasCompanies) {
    state.companies = data.currentUser.companies.map((c) => ({ id: c.id, name: c.name, role: c.role }));
  } else {
    // Without User.companies, the companies are those of the projects the user can read.
    const ids = [...new Set(data.projectList.map((p) => p.companyId))];
    const names = await Promise.all(
      ids.map((id) => api.request("query($c: String!) { company(id: $c) { id name } }", { c: id })),
    );
    state.companies = names.map((n) => n.company);
  }
  return data.currentUser;
}

async function start() {
  takeTokenFromLink();
  const token = sessionStorage.getItem(TOKEN);
  if (!token) {
    loginView();
    return;
  }
  const api = new Api(token, sessionStorage.getItem(COMPANY));
  api.onUnauthenticated = (error) => signOut(error.message);
  state.api = api;
  try {
    if (api.isPortal) {
      const data = await api.request(
        "{ portalSession { id company { id name } projectIds projects { id name companyId } expiresAt } }",
      );
      state.portal = data.portalSession;
      state.companies = [state.portal.company];
      state.projects = state.portal.projects;
      api.company = state.portal.company.id;
      replace(who, h("span", {}, `${state.portal.company.name} · link valid until ${new Date(state.portal.expiresAt).toLocaleString()}`));
    } else {
      const user = await loadUser(api);
      if (!api.company || !state.companies.some((c) => c.id === api.company)) {
        api.company = state.companies.length ? state.companies[0].id : null;
      }
      if (api.company) sessionStorage.setItem(COMPANY, api.company);
      renderWho(user);
    }
  } catch (error) {
    if (error.code !== "UNAUTHENTICATED") {
      sessionStorage.removeItem(TOKEN);
      loginView(error.message);
    }
    return;
  }
  state.catalog = new Catalog(api);
  state.tail = api.isPortal ? null : new Tail(api, () => state.api && state.api.company);
  renderNav();
  nav.hidden = false;
  await route();
}

function renderWho(user) {
  const parts = [h("span", {}, user.email)];
  if (state.companies.length > 1) {
    const select = h(
      "select",
      { id: "company", "aria-label": "Company" },
      state.companies.map((c) => h("option", { value: c.id, selected: c.id === state.api.company }, c.name)),
    );
    select.addEventListener("change", () => {
      state.api.company = select.value;
      sessionStorage.setItem(COMPANY, select.value);
      announce(`Showing ${select.selectedOptions[0].textContent}`);
      window.location.hash = "#/";
      route();
    });
    parts.push(select);
  } else if (state.companies.length === 1) {
    parts.push(h("span", {}, state.companies[0].name));
  }
  parts.push(h("button", { type: "button", className: "link", onclick: () => signOut() }, "Sign out"));
  replace(who, parts);
}

const LINKS = [
  ["#/", "Webhooks", "list"],
  ["#/tail", "Live events", "tail"],
  ["#/catalog", "Event catalog", "catalog"],
  ["#/share", "Portal links", "share"],
];

function renderNav() {
  const links = LINKS.filter(([, , key]) => !(state.api.isPortal && (key === "tail" || key === "share")));
  replace(nav, h("ul", {}, links.map(([href, text, key]) => h("li", {}, h("a", { href, "data-view": key }, text)))));
}

function markNav(key) {
  for (const link of nav.querySelectorAll("a")) {
    if (link.dataset.view === key) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

let leave = null;

async function route() {
  if (!state.api) return;
  if (leave) leave();
  leave = null;
  const path = window.location.hash.replace(/^#/, "") || "/";
  const parts = path.split("/").filter(Boolean);
  const context = { ...state, navigate: (to) => (window.location.hash = to) };
  let view;
  if (parts.length === 0) view = ["list", () => listView(context)];
  else if (parts[0] === "new") view = ["list", () => formView(context, null)];
  else if (parts[0] === "w" && parts[2] === "edit") view = ["list", () => formView(context, parts[1])];
  else if (parts[0] === "w" && parts[1]) view = ["list", () => detailView(context, parts[1])];
  else if (parts[0] === "tail" && state.tail) view = ["tail", () => tailView(context)];
  else if (parts[0] === "catalog") view = ["catalog", () => catalogView(context)];
  else if (parts[0] === "share" && !state.api.isPortal) view = ["share", () => shareView(context)];
  else view = ["list", () => listView(context)];
  markNav(view[0]);
  let rendered;
  try {
    rendered = await view[1]();
  } catch (error) {
    if (!state.api) return; // signed out: the sign-in view is shown
    rendered = {
      title: "Something went wrong",
      element: h("div", {}, h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, error.message), h("p", {}, h("a", { href: "#/" }, "Back to the webhooks"))),
    };
  }
  if (!state.api) return; // signed out meanwhile
  replace(main, rendered.element);
  leave = rendered.leave || null;
  document.title = `${rendered.title} · Hookline webhooks`;
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

window.addEventListener("hashchange", () => {
  if (window.location.hash.startsWith("#token=")) {
    start();
  } else {
    route();
  }
});

start();
