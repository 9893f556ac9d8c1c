// The app against a live Hookline, through zapier-platform-core's own app tester. The server,
// a token of a company owner and a project come from the environment (tests/test_zapier_app.py
// starts a server and runs `npm test` with them):
//   HOOKLINE_URL=http://127.0.0.1:8000 HOOKLINE_TOKEN=<id>.<secret> HOOKLINE_PROJECT_ID=<id> npm test

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const http = require("node:http");
const { after, before, describe, test } = require("node:test");

const zapier = require("zapier-platform-core");
// What `zapier validate` checks locally: the core's own "validate" command.
const schemaTools = require("zapier-platform-core/src/tools/schema");
const App = require("../index");
const catalog = require("../lib/catalog.json");
const { fromEventTypes } = require("../lib/catalog");

const { HOOKLINE_URL: url, HOOKLINE_TOKEN: token, HOOKLINE_PROJECT_ID: project } = process.env;
const live = Boolean(url && token && project);
const skip = live ? false : "set HOOKLINE_URL, HOOKLINE_TOKEN and HOOKLINE_PROJECT_ID";
const appTester = zapier.createAppTester(App);
const authData = { server_url: url, api_token: token };

async function graphql(query, variables = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

async function rest(path, init = {}) {
  return fetch(`${url}${path}`, { ...init, headers: { "X-API-Key": token, ...init.headers } });
}

async function createTodo(title) {
  const list = await graphql(
    "mutation($p:String!){createTodoList(input:{projectId:$p,title:\"Zapier\"}){id}}",
    { p: project },
  );
  const todo = await graphql("mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}", {
    l: list.createTodoList.id,
    t: title,
  });
  return todo.createTodo.id;
}

// A target URL like Zapier's: records each POST with its raw body and headers.
class Target {
  constructor() {
    this.requests = [];
    this.waiters = [];
    this.server = http.createServer((request, response) => {
      const chunks = [];
      request.on("data", (chunk) => chunks.push(chunk));
      request.on("end", () => {
        this.requests.push({ headers: request.headers, content: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(200, { "Content-Type": "application/json" }).end('{"status":"success"}');
        this.waiters = this.waiters.filter((waiter) => !waiter());
      });
    });
  }

  start() {
    return new Promise((resolve) =>
      this.server.listen(0, "127.0.0.1", () => {
        this.url = `http://127.0.0.1:${this.server.address().port}/hooks/catch/1/abc`;
        resolve();
      }),
    );
  }

  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }

  // The first `count` requests, within `ms` milliseconds.
  received(count, ms = 10000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.requests.length} requests`)), ms);
      const check = () => {
        if (this.requests.length < count) return false;
        clearTimeout(timer);
        resolve(this.requests.slice(0, count));
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }
}

describe("Hookline for Zapier", { skip }, () => {
  const target = new Target();
  before(() => target.start());
  after(() => target.stop());

  test("the app definition is valid for Zapier", () => {
    assert.deepEqual(schemaTools.validateApp(schemaTools.prepareApp(App)), []);
    assert.deepEqual(Object.keys(App.triggers).sort(), [
      "checklist_event",
      "comment_event",
      "custom_field_event",
      "list_event",
      "tag_event",
      "todo_event",
    ]);
  });

  test("the app's event catalog is the server's", async () => {
    const response = await rest("/rest-hooks/event-types");
    assert.equal(response.status, 200);
    const served = fromEventTypes(await response.json());
    assert.deepEqual(Object.keys(catalog).sort(), Object.keys(served).sort());
    for (const [group, entry] of Object.entries(served)) {
      assert.deepEqual(catalog[group].events, entry.events, group);
      assert.deepEqual(catalog[group].sample, entry.sample, `${group}: run npm run catalog`);
    }
  });

  test("authentication: the test call reads the token's user", async () => {
    const user = await appTester(App.authentication.test, { authData });
    assert.match(user.email, /@/);
    assert.ok(user.companies.length >= 1);
    await assert.rejects(
      appTester(App.authentication.test, { authData: { ...authData, api_token: "nope.nope" } }),
      /Unknown token/,
    );
  });

  test("subscribe, a live delivery, perform, performList, unsubscribe", async () => {
    const trigger = App.triggers.todo_event.operation;
    const inputData = { event: "TODO_CREATED" };
    const hook = await appTester(trigger.performSubscribe, { authData, inputData, targetUrl: target.url });
    assert.ok(hook.id && hook.secret.startsWith("whsec_"));
    assert.deepEqual(hook.events, ["TODO_CREATED"]);
    assert.equal(hook.target_url, target.url);

    const todo = await createTodo("From a Zap");
    const [request] = await target.received(1);
    const body = JSON.parse(request.content);
    assert.equal(body.event, "TODO_CREATED");
    assert.equal(body.currentValue.id, todo);
    const expected = crypto.createHmac("sha256", hook.secret).update(request.content).digest("hex");
    assert.equal(request.headers["x-signature"], expected);

    const bundle = { authData, inputData, subscribeData: hook, cleanedRequest: body };
    const items = await appTester(trigger.perform, { ...bundle, rawRequest: request });
    assert.deepEqual(items, [body]);
    assert.equal(items[0].id, body.eventId);
    // Not signed with the hook's secret: dropped. Another event type: not this trigger's.
    const forged = { ...request, headers: { ...request.headers, "x-signature": "0".repeat(64) } };
    assert.deepEqual(await appTester(trigger.perform, { ...bundle, rawRequest: forged }), []);
    const other = { ...bundle, cleanedRequest: { ...body, event: "TODO_DELETED" } };
    assert.deepEqual(await appTester(trigger.perform, other), []);
    const health = { ...bundle, cleanedRequest: { event: "WEBHOOK_HEALTH_CHECK", webhook: {} } };
    assert.deepEqual(await appTester(trigger.perform, health), []);

    const recent = await appTester(trigger.performList, { authData, inputData, subscribeData: hook });
    assert.ok(recent.length >= 1 && recent.every((item) => item.id));
    assert.equal(recent[0].id, body.id);
    assert.deepEqual({ ...recent[0], webhook: null }, { ...body, webhook: null });

    await appTester(trigger.performUnsubscribe, { authData, inputData, subscribeData: hook });
    assert.equal((await rest(`/rest-hooks/${hook.id}`)).status, 404);
    // Unsubscribing again (Zapier may) is no error.
    await appTester(trigger.performUnsubscribe, { authData, inputData, subscribeData: hook });
  });

  test("every trigger subscribes to its whole group unless one event is chosen", async () => {
    for (const [key, trigger] of Object.entries(App.triggers)) {
      const group = key.replace(/_event$/, "");
      const hook = await appTester(trigger.operation.performSubscribe, {
        authData,
        inputData: { project_ids: [project] },
        targetUrl: target.url,
      });
      assert.deepEqual(hook.events, Object.keys(catalog[group].events), key);
      assert.deepEqual(hook.project_ids, [project]);
      const [sample] = await appTester(trigger.operation.performList, { authData, inputData: {} });
      assert.ok(sample.id, key);
      assert.deepEqual(Object.keys(sample).sort(), Object.keys(trigger.operation.sample).sort());
      await appTester(trigger.operation.performUnsubscribe, { authData, subscribeData: hook });
    }
  });

  test("Hookline's refusals reach the Zap as errors that say why", async () => {
    const trigger = App.triggers.tag_event.operation;
    await assert.rejects(
      appTester(trigger.performSubscribe, {
        authData,
        inputData: { project_ids: ["no-such-project"] },
        targetUrl: target.url,
      }),
      (error) => /no-such-project/.test(error.message) && /was not found/.test(error.message),
    );
    await assert.rejects(
      appTester(trigger.performSubscribe, {
        authData: { ...authData, api_token: "nope.nope" },
        inputData: {},
        targetUrl: target.url,
      }),
      /check the API token/,
    );
  });
});
