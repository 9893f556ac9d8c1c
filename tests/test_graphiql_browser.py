"""GraphiQL in a real browser: Debian's Chromium driven by Playwright, every other host blocked.

The service is a real `hookline serve` process. Screenshots are kept in tests/artifacts/graphiql/
(or $HOOKLINE_TEST_ARTIFACTS/graphiql/) for CI to archive. Without Playwright or Chromium (a
newcomer's laptop) the tests skip and say why; `.ci/run` installs both and sets
HOOKLINE_TEST_REQUIRE_BROWSER=1, which turns such a skip into a failure.
"""

import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import WAIT_MS, Guard, async_api, only_the_service, screenshot
from tests.servers import HooklineProcess, hookline_cli

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
OPEN_TOOL_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT = ".result-window .CodeMirror"


@dataclass
class Service:
    url: str
    email: str
    account: dict[str, Any]

    @property
    def token(self) -> str:
        return self.account["token"]

    async def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {self.token}"},
            )
        body = response.json()
        assert not body.get("errors"), body
        return body["data"]

    async def subscribers(self) -> float:
        """The hookline_event_subscribers gauge: streams the server is following now."""
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"{self.url}/metrics")).text
        found = re.search(r"^hookline_event_subscribers (\S+)$", text, re.MULTILINE)
        assert found, "hookline_event_subscribers is missing from /metrics"
        return float(found.group(1))


@pytest.fixture(scope="module")
async def service(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    folder = tmp_path_factory.mktemp("graphiql")
    env = {"HOOKLINE_DATABASE_URL": f"sqlite://{folder / 'hookline.db'}"}
    email = f"{uuid.uuid4().hex[:8]}@acme.test"
    account = await hookline_cli(
        ["bootstrap", "--company", "Acme", "--email", email, "--project", "Web"], env
    )
    async with HooklineProcess(env, folder / "serve.log") as process:
        yield Service(f"http://{process.address}", email, account)


@dataclass
class Tab:
    """One browser page on the service, recording what would have left the machine."""

    page: Any
    service: Service
    guard: Guard
    sent_frames: list[str] = field(default_factory=list)

    async def open(self) -> None:
        await self.page.goto(f"{self.service.url}/graphql")
        try:
            await self.page.wait_for_selector(QUERY_EDITOR, timeout=WAIT_MS)
        except async_api.TimeoutError:
            pytest.fail(
                f"GraphiQL did not appear; other hosts asked: {self.guard.offsite}; "
                f"errors: {self.guard.errors}"
            )

    async def type_into(self, editor: Any, text: str) -> None:
        """Replace an editor's text as a paste would (no auto-closed brackets)."""
        await editor.click()
        await self.page.keyboard.press("ControlOrMeta+A")
        await self.page.keyboard.insert_text(text)

    async def set_query(self, text: str, operation: str) -> None:
        await self.type_into(self.page.locator(QUERY_EDITOR), text)
        # GraphiQL parses the document after a debounce; running before would send the old one.
        await self.page.wait_for_function(
            """(name) => {
                const ops = document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.operations;
                return ops && ops.length === 1 && ops[0].name && ops[0].name.value === name;
            }""",
            arg=operation,
            timeout=WAIT_MS,
        )

    async def paste_headers(self, headers: dict[str, str]) -> None:
        await self.page.get_by_role("button", name="Headers").click()
        await self.type_into(self.page.locator(OPEN_TOOL_EDITOR), json.dumps(headers))

    async def run(self) -> None:
        await self.page.locator(".graphiql-execute-button").click()

    async def result_containing(self, needle: str) -> str:
        await self.page.wait_for_function(
            """(needle) => {
                const result = document.querySelector(".result-window .CodeMirror");
                return result && result.CodeMirror.getValue().includes(needle);
            }""",
            arg=needle,
            timeout=WAIT_MS,
        )
        return await self.page.evaluate(
            """() => document.querySelector(".result-window .CodeMirror").CodeMirror.getValue()"""
        )

    async def screenshot(self, name: str) -> Path:
        return await screenshot(self.page, "graphiql", name)

    def assert_stayed_home(self) -> None:
        self.guard.assert_clean()


@pytest.fixture
async def tab(browser: Any, service: Service) -> AsyncIterator[Tab]:
    # A fresh context per test: GraphiQL keeps headers and tabs in localStorage.
    context = await browser.new_context(viewport={"width": 1440, "height": 900})
    page = await context.new_page()
    tab = Tab(page, service, await only_the_service(page, service.url))
    page.on("websocket", lambda ws: ws.on("framesent", lambda f: tab.sent_frames.append(f)))
    yield tab
    await context.close()


async def test_page_renders_with_every_other_host_blocked(tab: Tab) -> None:
    loaded: list[tuple[str, int]] = []
    tab.page.on("response", lambda r: loaded.append((r.url, r.status)))
    await tab.open()
    # The schema arrived by introspection, and the docs pane describes it.
    await tab.page.get_by_role("button", name="Show Documentation Explorer").click()
    docs = tab.page.locator(".graphiql-doc-explorer")
    await docs.get_by_role("link", name="Query", exact=True).click()
    await docs.get_by_text("Every field needs a token").wait_for(timeout=WAIT_MS)
    await docs.get_by_text("Your webhooks, newest first.").wait_for(timeout=WAIT_MS)
    await tab.screenshot("1-rendered-offline-with-docs")
    vendored = [(url, status) for url, status in loaded if "/graphiql/vendor/" in url]
    assert len(vendored) == 7 and all(status == 200 for _, status in vendored), vendored
    tab.assert_stayed_home()


async def test_query_uses_the_token_pasted_into_headers(tab: Tab) -> None:
    await tab.open()
    await tab.set_query("query Me {\n  currentUser {\n    id\n    email\n  }\n}\n", "Me")
    await tab.run()
    await tab.result_containing("UNAUTHENTICATED")
    await tab.paste_headers({"Authorization": f"Bearer {tab.service.token}"})
    await tab.run()
    shown = await tab.result_containing(tab.service.account["userId"])
    assert json.loads(shown) == {
        "data": {"currentUser": {"id": tab.service.account["userId"], "email": tab.service.email}}
    }
    await tab.screenshot("2-query-with-token")
    tab.assert_stayed_home()


async def test_subscription_shows_a_mutation_made_over_http(tab: Tab) -> None:
    service = tab.service
    await tab.open()
    await tab.paste_headers({"Authorization": f"Bearer {service.token}"})
    await tab.set_query(
        "subscription Watch {\n  todoEvents(events: [TODO_CREATED]) {\n    id\n    event\n    currentValue\n  }\n}\n",
        "Watch",
    )
    before = await service.subscribers()
    await tab.run()
    # The server follows the stream from now on: an event committed after this point reaches it.
    for _ in range(int(WAIT_MS / 50)):
        if await service.subscribers() > before:
            break
        await tab.page.wait_for_timeout(50)
    else:
        pytest.fail("the subscription never reached the server")
    init = json.loads(next(f for f in tab.sent_frames if '"connection_init"' in f))
    assert init["payload"] == {"Authorization": f"Bearer {service.token}"}

    title = f"Written over HTTP {uuid.uuid4().hex[:6]}"
    project = {"p": service.account["projectId"]}
    made = await service.graphql(
        'mutation($p: String!) { createTodoList(input: {projectId: $p, title: "Inbox"}) { id } }',
        project,
    )
    list_id = made["createTodoList"]["id"]
    await service.graphql(
        "mutation($l: String!, $t: String!) { createTodo(input: {todoListId: $l, title: $t}) { id } }",
        {"l": list_id, "t": title},
    )
    shown = json.loads(await tab.result_containing(title))
    event = shown["data"]["todoEvents"]
    assert event["event"] == "TODO_CREATED" and event["currentValue"]["title"] == title
    await tab.screenshot("3-subscription-event")
    tab.assert_stayed_home()
