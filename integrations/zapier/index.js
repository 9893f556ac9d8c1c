// Hookline for Zapier: API-token authentication and one instant trigger per event group.

const { version } = require("./package.json");
const { version: platformVersion } = require("zapier-platform-core");
const authentication = require("./lib/authentication");
const { authorize, explainErrors } = require("./lib/http");
const { triggers } = require("./lib/triggers");

module.exports = {
  version,
  platformVersion,
  authentication,
  beforeRequest: [authorize],
  afterResponse: [explainErrors],
  triggers,
};
