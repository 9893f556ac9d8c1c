"""The webhook portal in a real browser (Debian's Chromium, every other host blocked) against a
real `hookline serve` and real receivers; screenshots in tests/artifacts/portal/.

Retries wait an hour here (HOOKLINE_RETRY_SCHEDULE=0,3600), so a failed delivery stays failed
until the page redelivers it. Each test scopes its webhooks to a project of its own, so one
test's events reach no other test's webhook.
"""

import hashlib
import hmac
import json
import sqlite3
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.browser import WAIT_MS, Guard, only_the_service, screenshot
from tests.receiver import Receiver
from tests.servers import HooklineProcess, bootstrap

AXE = Path(__file__).parent / "vendor" / "axe-core@4.14.1" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CREATE_WEBHOOK = "mutation($i:CreateWebhookInput!){createWebhook(input:$i){id secret}}"


@dataclass
class Service:
    url: str
    database: Path
    acme: dict[str, Any]
    globex: dict[str, Any]

    async def raw(
        self, token: str, query: str, variables: dict[str, Any], company: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"}
        if company:
            headers["X-Bloo-Company-ID"] = company
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables},
                headers=headers,
            )
        return response.json()

    async def gql(
        self, account: dict[str, Any], query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body = await self.raw(account["token"], query, variables or {}, account["companyId"])
        assert not body.get("errors"), body
        return body["data"]

    async def project(self, account: dict[str, Any], name: str) -> str:
        made = await self.gql(
            account,
            "mutation($c:String!,$n:String!){createProject(input:{companyId:$c,name:$n}){id}}",
            {"c": account["companyId"], "n": f"{name} {uuid.uuid4().hex[:4]}"},
        )
        return made["createProject"]["id"]

    async def webhook(self, account: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return (await self.gql(account, CREATE_WEBHOOK, {"i": fields}))["createWebhook"]

    async def todo(self, account: dict[str, Any], project_id: str, title: str) -> None:
        made = await self.gql(
            account,
            'mutation($p:String!){createTodoList(input:{projectId:$p,title:"Inbox"}){id}}',
            {"p": project_id},
        )
        await self.gql(
            account,
            "mutation($l:String!,$t:String!){createTodo(input:{todoListId:$l,title:$t}){id}}",
            {"l": made["createTodoList"]["id"], "t": title},
        )

    def end_portal_session(self, session_id: str) -> None:
        """Make the session's expiry a moment ago, as the clock would (SQLite's text format)."""
        past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(sep=" ")
        with sqlite3.connect(self.database) as connection:
            connection.execute(
                "UPDATE portal_session SET expires_at = ? WHERE id = ?", (past, session_id)
            )


@pytest.fixture(scope="module")
async def service(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    folder = tmp_path_factory.mktemp("portal")
    database = folder / "hookline.db"
    env = {
        "HOOKLINE_DATABASE_URL": f"sqlite://{database}",
        "HOOKLINE_ALLOW_PRIVATE_URLS": "1",
        "HOOKLINE_RETRY_SCHEDULE": "0,3600",
    }
    acme = await bootstrap(env, "Acme")
    globex = await bootstrap(env, "Globex")
    async with HooklineProcess(env, folder / "serve.log", ("serve",)) as process:
        yield Service(process.url, database, acme, globex)


@dataclass
class Portal:
    """One browser tab on the portal."""

    page: Any
    guard: Guard
    service: Service

    async def open(self, url: str | None = None) -> None:
        await self.page.goto(url or f"{self.service.url}/portal")

    async def sign_in(self, token: str) -> None:
        await self.open()
        await self.page.get_by_label("API token").fill(token)
        await self.page.get_by_role("button", name="Sign in").click()
        await self.heading("Webhooks")

    async def heading(self, name: str) -> None:
        heading = self.page.get_by_role("heading", name=name, level=1, exact=True)
        await heading.wait_for(timeout=WAIT_MS)

    async def go(self, fragment: str, heading: str) -> None:
        """Navigate inside the page (a new fragment, never a reload)."""
        await self.page.evaluate("(f) => { window.location.hash = f; }", fragment)
        await self.heading(heading)

    async def nav(self, name: str) -> None:
        await (
            self.page.get_by_role("navigation", name="Portal")
            .get_by_role("link", name=name)
            .click()
        )
        await self.heading(name)

    def delivery(self, text: str) -> Any:
        return self.page.locator(".deliveries > li").filter(has_text=text).first

    async def shot(self, name: str) -> None:
        await screenshot(self.page, "portal", name, full_page=True)

    async def accessible(self, name: str) -> None:
        """axe-core finds no serious or critical violation on the page as it is now."""
        if not await self.page.evaluate("typeof window.axe === 'object'"):
            await self.page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = await self.page.evaluate(
            """() => axe.run(document, {resultTypes: ["violations"]}).then((r) =>
                r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))})))"""
        )
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{name}: {json.dumps(bad, indent=1)}"


@pytest.fixture
async def portal(browser: Any, service: Service) -> AsyncIterator[Portal]:
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    yield Portal(page, await only_the_service(page, service.url), service)
    await context.close()


async def test_a_delivery_appears_in_the_log_and_the_live_tail(
    portal: Portal, service: Service, receiver: Receiver
) -> None:
    page = portal.page
    await portal.sign_in(service.acme["token"])
    await page.evaluate("window.notReloaded = true")

    await page.get_by_role("link", name="New webhook").click()
    await portal.heading("New webhook")
    await page.get_by_label("Endpoint URL").fill(receiver.url)
    await page.get_by_label("Name (optional)").fill("Local receiver")
    await page.get_by_label("Only the events chosen below").check()
    await page.get_by_label("TODO_CREATED", exact=True).check()
    await page.get_by_label("Only the projects chosen below").check()
    await page.get_by_label("Web", exact=True).check()
    await page.get_by_role("button", name="Create webhook").click()
    await portal.heading("Webhook created")
    assert (await page.locator(".secret").inner_text()).startswith("whsec_")
    await page.get_by_role("link", name="Go to the webhook").click()
    await portal.heading("Local receiver")

    # The live tail runs on while the webhook's page is shown.
    await portal.nav("Live events")
    await page.get_by_text("Live: new events appear at the top.").wait_for(timeout=WAIT_MS)
    await page.go_back()
    await portal.heading("Local receiver")

    title = f"Made over the API {uuid.uuid4().hex[:6]}"
    await service.todo(service.acme, service.acme["projectId"], title)
    [received] = await receiver.wait_for(1)
    assert received.json["currentValue"]["title"] == title
    delivery = portal.delivery("TODO_CREATED")
    await delivery.get_by_text("Succeeded").wait_for(timeout=WAIT_MS)
    await delivery.locator("summary").click()
    await delivery.get_by_text("Attempt 1: HTTP 200").wait_for(timeout=WAIT_MS)
    await delivery.get_by_text(title).first.wait_for()
    await delivery.get_by_text("webhook-signature: v1,").wait_for()
    await portal.shot("1-delivery-in-the-log")

    await portal.nav("Live events")
    await page.locator(".tail > li").filter(has_text=title).wait_for(timeout=WAIT_MS)
    await portal.shot("2-event-in-the-live-tail")
    assert await page.evaluate("window.notReloaded === true"), "the page was reloaded"
    portal.guard.assert_clean()


async def test_a_failed_attempt_shows_its_answer_and_redelivery_succeeds(
    portal: Portal, service: Service, receiver: Receiver
) -> None:
    project = await service.project(service.acme, "Flaky")
    hook = await service.webhook(
        service.acme, url=receiver.url, name="Flaky receiver", projectIds=[project]
    )
    receiver.body = b'{"error": "database is down"}'
    receiver.answer(500)  # then 200, the default
    await portal.sign_in(service.acme["token"])
    await portal.go(f"#/w/{hook['id']}", "Flaky receiver")
    await service.todo(service.acme, project, "Try me twice")
    await receiver.wait_for(2)  # TODO_LIST_CREATED fails, TODO_CREATED succeeds

    failed = portal.delivery("TODO_LIST_CREATED")
    await failed.get_by_text("HTTP 500").wait_for(timeout=WAIT_MS)
    await failed.get_by_text("Pending").wait_for()
    await failed.locator("summary").click()
    await failed.get_by_text("Attempt 1: HTTP 500").wait_for(timeout=WAIT_MS)
    await failed.get_by_text('{"error": "database is down"}').wait_for()
    await portal.shot("3-failed-attempt-with-its-answer")

    await failed.get_by_role("button", name="Redeliver").click()
    await failed.get_by_text("Attempt 2: HTTP 200").wait_for(timeout=WAIT_MS)
    await failed.locator("summary").get_by_text("Succeeded").wait_for(timeout=WAIT_MS)
    await portal.shot("4-redelivered")
    assert len(receiver.requests) == 3
    assert (
        receiver.requests[2].body
        == receiver.requests[0].body.replace(b'"consecutiveFailures":0', b'"consecutiveFailures":1')
        or receiver.requests[2].json["event"] == "TODO_LIST_CREATED"
    )
    portal.guard.assert_clean()


async def test_a_rotated_secret_is_shown_once_and_signs_the_next_delivery(
    portal: Portal, service: Service, receiver: Receiver
) -> None:
    page = portal.page
    project = await service.project(service.acme, "Rotating")
    hook = await service.webhook(
        service.acme,
        url=receiver.url,
        name="Rotating receiver",
        projectIds=[project],
        events=["TODO_CREATED"],
    )
    await portal.sign_in(service.acme["token"])
    await portal.go(f"#/w/{hook['id']}", "Rotating receiver")
    await page.get_by_label("Grace period").select_option("0")
    await page.get_by_role("button", name="Rotate secret").click()
    dialog = page.get_by_role("dialog", name="Rotate the signing secret?")
    await dialog.get_by_text("The old one stops signing at once.").wait_for()
    await dialog.get_by_role("button", name="Rotate secret").click()
    shown = page.get_by_role("region", name="New signing secret")
    secret = (await shown.locator("code").inner_text()).strip()
    assert secret.startswith("whsec_") and secret != hook["secret"]
    await shown.get_by_role("button", name="Copy secret").wait_for()
    await portal.shot("5-new-secret-shown-once")

    # Shown once: gone from the page as soon as it is left.
    await portal.go("#/", "Webhooks")
    await portal.go(f"#/w/{hook['id']}", "Rotating receiver")
    assert secret not in await page.content()

    await service.todo(service.acme, project, "Signed with the new secret")
    [received] = await receiver.wait_for(1)
    StandardWebhook(secret).verify(received.body, received.headers)
    expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Signature"] == expected
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(hook["secret"]).verify(received.body, received.headers)
    portal.guard.assert_clean()


async def test_a_portal_session_sees_only_its_scope_until_it_ends(
    browser: Any, service: Service, receiver: Receiver
) -> None:
    acme, globex = service.acme, service.globex
    customer, mobile = (
        await service.project(acme, "Customer"),
        await service.project(acme, "Mobile"),
    )
    mine = await service.webhook(
        acme, url=receiver.url, name="Customer hook", projectIds=[customer]
    )
    internal = await service.webhook(
        acme, url=receiver.url, name="Internal mobile hook", projectIds=[mobile]
    )
    company_wide = await service.webhook(acme, url=receiver.url, name="Company-wide hook")
    theirs = await service.webhook(globex, url=receiver.url, name="Globex hook")
    create = "mutation($i:CreatePortalSessionInput!){createPortalSession(input:$i){id url token}}"
    made = [
        (
            await service.gql(
                acme,
                create,
                {"i": {"companyId": acme["companyId"], "projectIds": [customer]}},
            )
        )["createPortalSession"]
        for _ in range(2)
    ]
    expiring, revoked = made

    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    portal = Portal(page, await only_the_service(page, service.url), service)
    await portal.open(expiring["url"])
    await portal.heading("Webhooks")
    assert "token" not in page.url  # the token left the address bar at once
    listed = page.locator("table tbody tr")
    assert await listed.count() == 1, await listed.all_inner_texts()
    await listed.get_by_role("link", name="Customer hook").wait_for()
    nav = page.get_by_role("navigation", name="Portal")
    assert await nav.get_by_role("link").all_inner_texts() == ["Webhooks", "Event catalog"]
    await page.get_by_text("Acme · link valid until").wait_for()
    await portal.shot("6-portal-session-sees-its-scope")

    # The same token, used directly against the API, reaches nothing outside the scope.
    read = "query($w:String!){webhook(id:$w){id}}"
    for outside in (internal, company_wide, theirs):
        body = await service.raw(expiring["token"], read, {"w": outside["id"]})
        assert body["errors"][0]["extensions"]["code"] == "WEBHOOK_NOT_FOUND", outside
    body = await service.raw(
        expiring["token"], read, {"w": theirs["id"]}, company=globex["companyId"]
    )
    assert body["errors"][0]["extensions"]["code"] == "WEBHOOK_NOT_FOUND"
    body = await service.raw(expiring["token"], "{projectList{id}}", {})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await service.raw(expiring["token"], read, {"w": mine["id"]}))["data"]

    service.end_portal_session(expiring["id"])
    await portal.go("#/catalog", "Event catalog")
    await page.evaluate("window.location.hash = '#/'")
    await portal.heading("This portal link no longer works")
    await page.get_by_text("expired").wait_for()
    await portal.shot("7-expired-session")
    body = await service.raw(expiring["token"], read, {"w": mine["id"]})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    await portal.open(revoked["url"])
    await portal.heading("Webhooks")
    await service.gql(
        acme,
        "mutation($s:String!){revokePortalSession(input:{sessionId:$s}){success}}",
        {"s": revoked["id"]},
    )
    await page.get_by_role("link", name="Customer hook").click()
    await portal.heading("This portal link no longer works")
    await page.get_by_text("revoked").wait_for()
    await portal.shot("8-revoked-session")
    body = await service.raw(revoked["token"], read, {"w": mine["id"]})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    portal.guard.assert_clean()
    await context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_every_page_passes_an_accessibility_scan(
    browser: Any, service: Service, receiver: Receiver, viewport: dict[str, int]
) -> None:
    size = "phone" if viewport == PHONE else "desktop"
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    portal = Portal(page, await only_the_service(page, service.url), service)
    project = await service.project(service.acme, f"Scanned {size}")
    hook = await service.webhook(
        service.acme, url=receiver.url, name=f"Scanned {size}", projectIds=[project]
    )
    await service.todo(service.acme, project, "Something to show")
    await receiver.wait_for(2)

    async def check(name: str) -> None:
        await portal.accessible(f"{size} {name}")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{size} {name}: {width}px wide, wider than the window"
        await screenshot(page, "portal", f"a11y-{size}-{name}", full_page=True)

    await portal.open()
    await page.get_by_label("API token").wait_for()
    await check("sign-in")
    await portal.sign_in(service.acme["token"])
    await check("webhooks")
    await portal.go("#/new", "New webhook")
    await page.get_by_label("Endpoint URL").fill("ftp://example.com/hook")
    await page.get_by_label("Only the events chosen below").check()
    await page.get_by_role("button", name="Create webhook").click()
    await page.get_by_text("Choose at least one event").wait_for()
    await check("form-with-an-error")
    await portal.go(f"#/w/{hook['id']}", f"Scanned {size}")
    delivery = portal.delivery("TODO_CREATED")
    await delivery.locator("summary").click()
    await delivery.get_by_text("Attempt 1: HTTP 200").wait_for(timeout=WAIT_MS)
    await check("webhook-with-a-delivery-open")
    await portal.nav("Live events")
    await page.get_by_text("Live: new events appear at the top.").wait_for(timeout=WAIT_MS)
    await check("live-events")
    await portal.nav("Event catalog")
    await page.get_by_text("TODO_CREATED", exact=True).click()
    await page.get_by_label("Sample payload of TODO_CREATED").wait_for(timeout=WAIT_MS)
    await check("event-catalog")
    await portal.nav("Portal links")
    await page.get_by_role("button", name="Create portal link").click()
    await page.get_by_role("heading", name="Portal link created").wait_for(timeout=WAIT_MS)
    link = (await page.locator(".secret-card code").inner_text()).strip()
    await check("portal-links")

    await portal.open(link)
    await portal.heading("Webhooks")
    await check("portal-session")
    session_id = link.split("#token=hlp_", 1)[1].split(".", 1)[0]
    await service.gql(
        service.acme,
        "mutation($s:String!){revokePortalSession(input:{sessionId:$s}){success}}",
        {"s": session_id},
    )
    await portal.go("#/catalog", "Event catalog")
    await page.evaluate("window.location.hash = '#/'")
    await portal.heading("This portal link no longer works")
    await check("ended-session")
    portal.guard.assert_clean()
    await context.close()
