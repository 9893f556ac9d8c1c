// Mounts GraphiQL on #graphiql. Adapted from Strawberry's page (MIT); a file of its own so
// the page's Content-Security-Policy can forbid inline scripts.
//
// Subscriptions: GraphiQL 3.8's fetcher opens a graphql-ws socket per subscription and sends
// the Headers tab as the connection_init payload, so {"Authorization": "Bearer …"} there
// authenticates queries, mutations and subscriptions alike.
"use strict";

const WELCOME = `# Welcome to Hookline's GraphiQL.
#
# 1. Get a token on the server, e.g.
#      hookline token create \\
#        --email you@example.com
#    (or hookline bootstrap: see the README)
# 2. Open "Headers" below and paste
#      {"Authorization":
#        "Bearer <tokenId>.<tokenSecret>"}
#    createWebhook also needs the header
#      "X-Bloo-Company-ID": "<company id>"
# 3. Run with Ctrl-Enter or the play button.
#    Subscriptions stream here too.
#
# Docs (book icon, top left) describe every
# type, field and argument.

query Me {
  currentUser {
    id
    email
  }
}
`;

// Query, variables and headers may be shared in the URL (?q=…&variables=…), as Strawberry's
// page allows; headers are kept out of it so a token never lands in a link or a log.
const parameters = {};
for (const entry of window.location.search.slice(1).split("&")) {
  const eq = entry.indexOf("=");
  if (eq >= 0) {
    parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
  }
}

function updateURL(data) {
  Object.assign(parameters, data);
  const search = Object.keys(parameters)
    .filter((key) => Boolean(parameters[key]))
    .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
    .join("&");
  history.replaceState(null, "", "?" + search);
}

const fetchURL = window.location.href.split("?")[0].split("#")[0];

function webSocketURL(url) {
  const parsed = new URL(url);
  parsed.protocol = parsed.protocol === "https:" ? "wss:" : "ws:";
  parsed.hash = "";
  return parsed.toString();
}

const defaultHeaders = {};
const csrfToken = Cookies.get("csrftoken");
if (csrfToken) {
  defaultHeaders["x-csrftoken"] = csrfToken;
}

const fetcher = GraphiQL.createFetcher({
  url: fetchURL,
  headers: defaultHeaders,
  subscriptionUrl: webSocketURL(fetchURL),
});

function HooklineGraphiQL() {
  const [query, setQuery] = React.useState(parameters.q || WELCOME);
  const [variables, setVariables] = React.useState(parameters.variables);
  const [headers, setHeaders] = React.useState(parameters.headers);
  const explorer = React.useMemo(() => GraphiQLPluginExplorer.explorerPlugin(), []);

  return React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    plugins: [explorer],
    query: query,
    variables: variables,
    headers: headers,
    onEditQuery: (value) => {
      setQuery(value);
      updateURL({ q: value });
    },
    onEditVariables: (value) => {
      setVariables(value);
      updateURL({ variables: value });
    },
    onEditHeaders: setHeaders,
    inputValueDeprecation: true,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(HooklineGraphiQL),
);
