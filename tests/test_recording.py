"""What a receiver answers can never break recording: NUL bytes, invalid UTF-8 and a 10 MB
body are stored safely on both backends, and one row that cannot be written holds back no
other row and makes nothing be sent twice."""

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise

from bridge.config import BridgeConfig
from bridge.http import HttpResult
from bridge.outcomes import Attempted
from bridge.recorder import Recorder
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, Webhook
from tests.conftest import POSTGRES_URL, Account, PgDatabase
from tests.receiver import Receiver
from tests.servers import HooklineProcess, RemoteGraphQL, bootstrap
from tests.tracker import Tracker, create

EVENTS = 5
POISONS = {
    "nul": b"bad\x00body",
    "invalid-utf8": b"bad \xff\xfe\xc3( body",
    "ten-megabytes": b"bad" + b"x" * 10_000_000,
}
DELIVERIES = (
    "query($w:String!){webhookDeliveries(webhookId:$w,take:100){pageInfo{totalItems} "
    "items{status attempts{statusCode responseBody}}}}"
)
STATUS = "query($w:String!){webhook(id:$w){status}}"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgres", marks=pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL")
        ),
    ]
)
async def server(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[HooklineProcess]:
    """`hookline serve` with a short schedule and a short lease: a delivery left unrecorded
    would be sent again within the test."""
    database = None
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'recording.db'}"
    else:
        assert POSTGRES_URL
        database = PgDatabase(POSTGRES_URL, f"hookline_rec_{uuid.uuid4().hex[:8]}")
        database.create()
        url = database.url
    env = {
        "HOOKLINE_DATABASE_URL": url,
        "HOOKLINE_ALLOW_PRIVATE_URLS": "1",
        "HOOKLINE_RETRY_SCHEDULE": "0,0.1,0.1,0.1",
        "HOOKLINE_DELIVERY_TIMEOUT": "0.5",
        "HOOKLINE_CLAIM_LEASE_SECONDS": "1",
    }
    try:
        async with HooklineProcess(env, tmp_path / "server.log", ("serve",)) as process:
            yield process
    finally:
        if database is not None:
            database.drop()


async def settled(gql: RemoteGraphQL, webhook_id: str) -> list[dict]:
    """The webhook's deliveries, once all EVENTS exist and none is pending any more."""
    for _ in range(600):
        page = (await gql(DELIVERIES, {"w": webhook_id}))["webhookDeliveries"]
        items = page["items"]
        if len(items) == EVENTS and all(d["status"] != "PENDING" for d in items):
            return items
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries of {webhook_id} still pending: {items}")


async def test_a_receivers_bytes_never_stop_recording(server: HooklineProcess) -> None:
    healthy = await Receiver().start()
    poisoned = {name: await Receiver().start() for name in POISONS}
    try:
        for name, body in POISONS.items():
            poisoned[name].default = (500, {}, 0.0)
            poisoned[name].body = body
        made = await bootstrap(server.env)
        async with httpx.AsyncClient(timeout=30) as http:
            gql = RemoteGraphQL(http, server.url, made)
            hooks = {
                name: (await create(gql, r.url, events=["TODO_CREATED"]))["id"]
                for name, r in [("healthy", healthy), *poisoned.items()]
            }
            list_id = await Tracker(gql, made["projectId"]).todo_list()
            for n in range(EVENTS):
                await Tracker(gql, made["projectId"]).todo(list_id, title=f"todo {n}")

            delivered = await settled(gql, hooks["healthy"])
            assert all(d["status"] == "SUCCEEDED" for d in delivered)
            for name in POISONS:
                items = await settled(gql, hooks[name])
                # Once a delivery exhausts the schedule the webhook is disabled, and its other
                # deliveries end without a request: only answered attempts carry a response.
                attempts = [a for d in items for a in d["attempts"] if a["statusCode"]]
                assert attempts and all(a["statusCode"] == 500 for a in attempts)
                assert all(a["responseBody"].startswith("bad") for a in attempts), name
                assert all("\x00" not in a["responseBody"] for a in attempts)
                assert all(len(a["responseBody"]) <= 4096 for a in attempts)
                assert (await gql(STATUS, {"w": hooks[name]}))["webhook"]["status"] == "UNHEALTHY"
        # Every event reached the healthy receiver exactly once, with its one webhook-id.
        ids = [r.headers["webhook-id"] for r in healthy.requests]
        assert len(ids) == EVENTS and len(set(ids)) == EVENTS
    finally:
        await healthy.stop()
        for receiver in poisoned.values():
            await receiver.stop()


# -- the recorder on its own, against the session's database -------------------------------

SQLITE_TRIGGER = """
CREATE TRIGGER refuse_attempt BEFORE INSERT ON delivery_attempt
WHEN NEW.{column} LIKE '%refuse%' BEGIN SELECT RAISE(ABORT, 'refused row'); END
"""
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_attempt() RETURNS trigger AS $$
BEGIN
  IF NEW.{column} LIKE '%refuse%' THEN RAISE EXCEPTION 'refused row'; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql
"""
PG_TRIGGER = (
    "CREATE TRIGGER refuse_attempt BEFORE INSERT ON delivery_attempt "
    "FOR EACH ROW EXECUTE FUNCTION refuse_attempt()"
)


async def refuse_attempts_where(column: str) -> None:
    """Make the database itself refuse attempt rows whose `column` contains "refuse"."""
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script(PG_FUNCTION.format(column=column))
        await connection.execute_script(PG_TRIGGER)
    else:
        await connection.execute_script(SQLITE_TRIGGER.format(column=column))


async def allow_attempts() -> None:
    connection = Tortoise.get_connection("default")
    postgres = connection.capabilities.dialect == "postgres"
    await connection.execute_script(
        "DROP TRIGGER IF EXISTS refuse_attempt" + (" ON delivery_attempt" if postgres else "")
    )


@pytest.fixture
async def webhook(owner: Account) -> Webhook:
    return await Webhook.create(
        company_id=owner.company_id,
        created_by_id=owner.user_id,
        url="http://127.0.0.1:9/",
        secret="whsec_x",
    )


def attempt(delivery: Delivery, status: int, body: str) -> Attempted:
    now = datetime.now(UTC)
    result = HttpResult(now, 1.0, status, None if status < 300 else f"HTTP {status}", body, None)
    return Attempted(delivery.id, delivery.webhook_id, 1, result)


async def deliveries(webhook: Webhook, count: int, prefix: str = "") -> list[Delivery]:
    made = []
    for _ in range(count):
        key = uuid.uuid4().hex
        made.append(
            await Delivery.create(
                id=f"{prefix}{key}"[:32],
                webhook_id=webhook.id,
                event="TODO_CREATED",
                message_id=f"msg_{key}",
            )
        )
    return made


def recorder() -> Recorder:
    config = BridgeConfig(retry_schedule=(0.0, 60.0))
    return Recorder(
        config,
        clock=lambda: datetime.now(UTC),
        rng=random.Random(1),
        on_webhooks_disabled=lambda ids: None,
    )


async def test_one_unwritable_row_holds_back_no_other(app: object, webhook: Webhook) -> None:
    ok, poisoned = await deliveries(webhook, 2)
    await refuse_attempts_where("response_body")
    try:
        record = recorder()
        record.add(attempt(ok, 200, "fine"), None)
        record.add(attempt(poisoned, 200, "please refuse me"), None)
        await record.flush()
    finally:
        await allow_attempts()
    assert record.waiting == 0
    for delivery in (ok, poisoned):
        await delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SUCCEEDED
    [kept] = await DeliveryAttempt.filter(delivery_id=poisoned.id)
    assert kept.status_code == 200 and kept.response_body is None
    assert "response not recorded" in (kept.error or "")
    assert (await DeliveryAttempt.get(delivery_id=ok.id)).response_body == "fine"


async def test_an_attempt_that_cannot_be_written_waits_and_is_not_lost(
    app: object, webhook: Webhook
) -> None:
    [delivery] = await deliveries(webhook, 1, prefix="refuse")
    await refuse_attempts_where("delivery_id")  # as if the database were unreachable for it
    record = recorder()
    try:
        record.add(attempt(delivery, 200, "fine"), None)
        await record.flush()
        assert record.waiting == 1  # kept, not dropped, and nothing was sent again
        await delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
    finally:
        await allow_attempts()
    await record.flush()
    assert record.waiting == 0
    await delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
