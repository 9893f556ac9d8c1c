// Writes lib/catalog.json from a Hookline server's event catalog (GET /rest-hooks/event-types):
// each group's event types with their descriptions, and one sample body per group for Zapier's
// field mapping. Run after the server's events or payloads change:
//   HOOKLINE_URL=http://127.0.0.1:8000 HOOKLINE_TOKEN=<id>.<secret> npm run catalog
// The app's tests compare this file with the live server's catalog.

const fs = require("node:fs");
const path = require("node:path");
const { fromEventTypes } = require("../lib/catalog");

async function main() {
  const url = process.env.HOOKLINE_URL;
  const token = process.env.HOOKLINE_TOKEN;
  if (!url || !token) throw new Error("set HOOKLINE_URL and HOOKLINE_TOKEN");
  const response = await fetch(`${url.replace(/\/+$/, "")}/rest-hooks/event-types`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);
  const catalog = fromEventTypes(await response.json());
  const file = path.join(__dirname, "..", "lib", "catalog.json");
  fs.writeFileSync(file, `${JSON.stringify(catalog, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
