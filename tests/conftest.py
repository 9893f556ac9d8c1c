"""Shared fixtures: the app on a real database (SQLite file, and PostgreSQL when enabled)."""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from hookline import accounts
from hookline.app import build_app
from hookline.settings import Settings
from tests import browser as browsers
from tests.receiver import Receiver

POSTGRES_URL = os.environ.get("HOOKLINE_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("HOOKLINE_TEST_REDIS_URL")

TEST_SCHEDULE = (0.0, 0.2, 0.2, 0.2)

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="HOOKLINE_TEST_POSTGRES_URL is not set (no PostgreSQL)"
        ),
    ),
]


@dataclass
class PgDatabase:
    admin_url: str
    name: str

    @property
    def url(self) -> str:
        base = self.admin_url.rsplit("/", 1)[0]
        return f"{base}/{self.name}"

    def _admin(self, statement: str) -> None:
        async def run() -> None:
            conn = await asyncpg.connect(self.admin_url)
            try:
                await conn.execute(statement)
            finally:
                await conn.close()

        # Its own loop in its own thread: fixtures may be set up while the session loop runs.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result()

    def create(self) -> None:
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_database() -> Iterator[PgDatabase]:
    """A throw-away PostgreSQL database for the session."""
    if not POSTGRES_URL:
        pytest.skip("HOOKLINE_TEST_POSTGRES_URL is not set (no PostgreSQL)")
    database = PgDatabase(POSTGRES_URL, f"hookline_test_{uuid.uuid4().hex[:10]}")
    database.create()
    yield database
    database.drop()


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    if request.param == "sqlite":
        return f"sqlite://{tmp_path_factory.mktemp('db') / 'hookline.db'}"
    return request.getfixturevalue("pg_database").url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # Short retries and timeouts so failure paths finish within a test; few webhooks per company
    # so the cap is easy to reach.
    return Settings(
        database_url=database_url,
        allow_private_urls=True,
        retry_schedule=TEST_SCHEDULE,
        delivery_timeout=1.0,
        max_enabled_webhooks=3,
        # Retention is driven by its tests (tests/test_retention.py), never by housekeeping.
        event_retention_days=3650,
        delivery_retention_days=3650,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = build_app(settings, run_bridge=True)
    async with application.router.lifespan_context(application):
        yield application


@dataclass
class Account:
    company_id: str
    project_id: str
    user_id: str
    token: str


class Client:
    """GraphQL over the ASGI app, as one user."""

    def __init__(
        self, http: httpx.AsyncClient, token: str | None, company: str | None = None
    ) -> None:
        self.http = http
        self.token = token
        self.company = company

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.company:
            headers.setdefault("X-Bloo-Company-ID", self.company)
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        # 429: refused for a rate or quota, with the same GraphQL error body.
        assert response.status_code in (200, 400, 413, 429), response.text
        return response.json()

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a query that must succeed."""
        body = await self.raw(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def error(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The first error of a query that must fail."""
        body = await self.raw(query, variables)
        assert body.get("errors"), body
        return body["errors"][0]


@pytest.fixture(scope="session")
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def new_account(company: str = "Acme") -> Account:
    made = await accounts.bootstrap(company, f"{uuid.uuid4().hex[:12]}@acme.test", "Web")
    return Account(
        company_id=made["companyId"],
        project_id=made["projectId"],
        user_id=made["userId"],
        token=made["token"],
    )


@pytest.fixture
async def owner(app: Any) -> Account:
    return await new_account()


@pytest.fixture
def gql(http: httpx.AsyncClient, owner: Account) -> Client:
    return Client(http, owner.token, owner.company_id)


@pytest.fixture
def anonymous(http: httpx.AsyncClient) -> Client:
    return Client(http, None)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    started = await Receiver().start()
    yield started
    await started.stop()


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's Chromium, or a skip that says why (tests/browser.py)."""
    return browsers.chromium_path()


@pytest.fixture(scope="module")
async def browser(chromium: Path) -> AsyncIterator[Any]:
    async with browsers.async_api.async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=browsers.CHROMIUM_ARGS
        )
        yield launched
        await launched.close()
