"""The pure parts of `hookline listen` and `trigger`: the server's address and the state key,
the saved cursor, the reconnection backoff, and a recipe for every event type."""

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.render import EventData, body_of
from hookline.local.forwarder import Forwarder, LocalWebhook
from hookline.local.listener import Backoff
from hookline.local.recipes import RECIPES
from hookline.local.remote import Server, UsageError
from hookline.local.state import CursorFile
from models.event_types import EventType
from models.rows import webhook_row

TOKEN = "tok123.s3cret-part"


def test_the_server_url_is_taken_with_or_without_graphql_and_a_trailing_slash() -> None:
    for url in (
        "http://Example.test:8000",
        "http://example.test:8000/",
        "http://example.test:8000/graphql",
    ):
        server = Server.of(url, TOKEN)
        assert server.graphql_url == "http://example.test:8000/graphql"
        assert server.websocket_url == "ws://example.test:8000/graphql"
    assert Server.of("https://h.test/base", TOKEN).websocket_url == "wss://h.test/base/graphql"
    assert Server.of("http://a.test", TOKEN).key() == Server.of("http://a.test/", TOKEN).key()
    assert Server.of("http://a.test", TOKEN).key() != Server.of("http://b.test", TOKEN).key()
    assert "s3cret" not in repr(Server.of("http://a.test", TOKEN))


@pytest.mark.parametrize(
    ("url", "token"),
    [
        ("ftp://a.test", TOKEN),
        ("a.test", TOKEN),
        ("http://a.test", "nodot"),
        ("http://a.test", "id."),
    ],
)
def test_a_bad_server_or_token_is_a_usage_error(url: str, token: str) -> None:
    with pytest.raises(UsageError):
        Server.of(url, token)


def test_the_cursor_file_keeps_the_cursor_and_never_the_secret(tmp_path: Path) -> None:
    server = Server.of("http://a.test", TOKEN)
    state = CursorFile(server, tmp_path)
    assert state.load() is None
    state.save(41)
    state.save(42)
    assert CursorFile(server, tmp_path).load() == 42
    assert "s3cret" not in state.path.read_text() and "s3cret" not in state.path.name
    assert json.loads(state.path.read_text())["tokenId"] == "tok123"
    assert [p.name for p in tmp_path.iterdir()] == [state.path.name]  # no temporary left
    # Another token of the same server has its own place.
    assert CursorFile(Server.of("http://a.test", "other.x"), tmp_path).load() is None
    state.path.write_text("{")
    with pytest.raises(UsageError, match="unreadable"):
        state.load()


def test_backoff_doubles_to_its_cap_and_honours_the_server_hint() -> None:
    backoff = Backoff(random.Random(1))
    delays = [backoff.next() for _ in range(8)]
    nominal = [0.5, 1, 2, 4, 8, 10, 10, 10]
    assert all(0.8 * n <= d <= 1.2 * n for d, n in zip(delays, nominal, strict=True))
    assert backoff.next(hint=30) == 30 and backoff.next(hint=3600) == Backoff.HINT_CAP
    backoff.reset()
    assert backoff.next() <= 0.6


def test_every_event_type_has_a_recipe() -> None:
    assert set(RECIPES) == set(EventType)


def test_the_local_body_is_the_delivery_body_with_the_stand_in_webhook() -> None:
    created = datetime(2030, 1, 1, tzinfo=UTC)
    webhook = LocalWebhook(
        url="http://127.0.0.1:3000/hook",
        secret="whsec_" + "A" * 43 + "=",
        events=["TODO_CREATED"],
        project_ids=[],
        created_by_id="u1",
        created_at=created,
    )
    event = EventData(7, "TODO_CREATED", "c1", "p1", "u1", None, {"id": "t1"}, created)
    body = json.loads(Forwarder(None, webhook).body(event))  # type: ignore[arg-type]
    expected = json.loads(body_of(webhook_row(webhook), event, None))
    assert body["webhook"]["companyId"] == "c1"  # the event's company
    assert {**body, "webhook": None} == {**expected, "webhook": None}
    assert body["webhook"]["secret"] == "" and body["webhook"]["events"] == ["TODO_CREATED"]
