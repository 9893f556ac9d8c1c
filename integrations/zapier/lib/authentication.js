// API-token authentication: the Hookline server's address, a personal access token
// (`<tokenId>.<tokenSecret>`, from createApiToken or `hookline token create`), and, for users
// of several companies, which one. The test call reads the token's user.

const { server } = require("./http");

async function test(z, bundle) {
  const response = await z.request({
    url: `${server(bundle)}/graphql`,
    method: "POST",
    json: { query: "{ currentUser { id email companies { id name slug role } } }" },
  });
  const body = response.data;
  if (body.errors && body.errors.length) {
    throw new z.errors.Error(body.errors[0].message, "AuthenticationError", 401);
  }
  return body.data.currentUser;
}

module.exports = {
  type: "custom",
  fields: [
    {
      key: "server_url",
      label: "Hookline address",
      required: true,
      type: "string",
      helpText: "Where your Hookline runs, e.g. `https://hooks.example.com`.",
    },
    {
      key: "api_token",
      label: "API token",
      required: true,
      type: "password",
      helpText:
        "A personal access token, `<tokenId>.<tokenSecret>`: create one with the " +
        "`createApiToken` mutation or `hookline token create --email you@example.com`.",
    },
    {
      key: "company",
      label: "Company",
      required: false,
      type: "string",
      helpText: "Only if you belong to several companies: the id or slug of the one to use.",
    },
  ],
  test,
  connectionLabel: "{{email}}",
};
