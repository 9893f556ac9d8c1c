"""Personal access tokens: createApiToken shows the secret once, apiTokens never; revocation and
expiry take effect on the next request; lastUsedAt is written at most once a minute; the cache
in front of the token table forgets on Announcement.TOKENS; `hookline token revoke`."""

import contextlib
import json
import logging
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from events.announcement import Announcement
from events.watch import StoredChanges
from hookline.auth import UNKNOWN, Authenticator
from models import tokens
from models.accounts import ApiToken
from models.webhooks import bump_routing_version, routing_version
from resolvers.context import Principal, Refusal
from tests.conftest import Account, Client
from tests.tracker import member

FIELDS = "id name createdAt lastUsedAt expiresAt secret token"
CREATE = f"mutation($i:CreateApiTokenInput!){{createApiToken(input:$i){{{FIELDS}}}}}"
LIST = f"{{apiTokens{{{FIELDS}}}}}"
REVOKE = "mutation($t:String!){revokeApiToken(input:{tokenId:$t}){success operationId}}"
WHO = "{currentUser{id}}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_new_token_shows_its_secret_once_and_works(
    gql: Client, owner: Account, anonymous: Client
) -> None:
    expires = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    made = (await gql(CREATE, {"i": {"name": " CI deploys ", "expiresAt": expires.isoformat()}}))[
        "createApiToken"
    ]
    assert made["name"] == "CI deploys" and made["lastUsedAt"] is None
    assert datetime.fromisoformat(made["expiresAt"]) == expires
    assert made["token"] == f"{made['id']}.{made['secret']}"
    stored = await ApiToken.get(id=made["id"])
    assert made["secret"] not in (stored.secret_hash, stored.name)  # only its hash is kept
    # It authenticates, in both of the accepted forms.
    body = await anonymous.raw(WHO, **bearer(made["token"]))
    assert body["data"]["currentUser"]["id"] == owner.user_id
    pair = {"X-Bloo-Token-ID": made["id"], "X-Bloo-Token-Secret": made["secret"]}
    assert (await anonymous.raw(WHO, **pair))["data"]["currentUser"]["id"] == owner.user_id
    listed = (await gql(LIST))["apiTokens"]
    assert listed[0]["id"] == made["id"]  # newest first
    assert all(t["secret"] is None and t["token"] is None for t in listed)
    assert listed[0]["lastUsedAt"] is not None  # it was used just now


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "name must not be empty"),
        ({"name": "x" * 256}, "at most 255"),
        ({"name": "old", "expiresAt": "2020-01-01T00:00:00Z"}, "expiresAt must be in the future"),
    ],
)
async def test_bad_token_input_stores_nothing(
    gql: Client,
    owner: Account,
    fields: dict[str, Any],
    message: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = await ApiToken.filter(user_id=owner.user_id).count()
    error = await gql.error(CREATE, {"i": fields})
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and message in error["message"]
    assert await ApiToken.filter(user_id=owner.user_id).count() == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_revoked_token_is_refused_on_the_next_request(
    gql: Client, anonymous: Client
) -> None:
    made = (await gql(CREATE, {"i": {"name": "short-lived"}}))["createApiToken"]
    assert (await anonymous.raw(WHO, **bearer(made["token"])))["data"]  # now cached
    assert (await gql(REVOKE, {"t": made["id"]}))["revokeApiToken"]["success"] is True
    body = await anonymous.raw(WHO, **bearer(made["token"]))
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert made["id"] not in [t["id"] for t in (await gql(LIST))["apiTokens"]]
    # Revoked is gone: revoking again is as for any unknown id.
    error = await gql.error(REVOKE, {"t": made["id"]})
    assert error["extensions"]["code"] == "API_TOKEN_NOT_FOUND"


async def test_only_its_owner_may_revoke_a_token(
    gql: Client, owner: Account, anonymous: Client
) -> None:
    """Someone else's token id answers as a missing one, and keeps working."""
    colleague = await member(gql, owner, "ADMIN")
    theirs = colleague.token
    assert theirs is not None
    answers = []
    for token_id in (theirs.split(".")[0], "missing"):
        error = await gql.error(REVOKE, {"t": token_id})
        answers.append((error["extensions"], error["message"].replace(token_id, "<id>")))
    assert (
        answers[0]
        == answers[1]
        == ({"code": "API_TOKEN_NOT_FOUND"}, "ApiToken '<id>' was not found")
    )
    assert (await anonymous.raw(WHO, **bearer(theirs)))["data"]["currentUser"]


async def test_an_expired_token_is_refused_saying_so(owner: Account, anonymous: Client) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    issued = await tokens.issue_token(owner.user_id, name="old", expires_at=past)
    body = await anonymous.raw(WHO, **bearer(issued.token))
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in error["message"] and issued.token_secret not in error["message"]


class Clock:
    def __init__(self) -> None:
        self.wall = datetime.now(UTC).replace(microsecond=0)
        self.mono = 0.0

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds


async def test_last_use_is_written_at_most_once_a_minute(app: Any, owner: Account) -> None:
    clock = Clock()
    authenticator = Authenticator(clock=lambda: clock.mono, now=lambda: clock.wall)
    issued = await tokens.issue_token(owner.user_id, name="busy")
    seen = []
    for step in (0, 20, 20, 21, 1):  # t = 0, 20, 40, 61, 62
        clock.advance(step)
        assert isinstance(await authenticator.authenticate(bearer(issued.token)), Principal)
        seen.append((await ApiToken.get(id=issued.token_id)).last_used_at)
    start = seen[0]
    assert seen == [start, start, start, start + timedelta(seconds=61), seen[3]]


async def test_expiry_is_checked_at_every_request(app: Any, owner: Account) -> None:
    clock = Clock()
    authenticator = Authenticator(clock=lambda: clock.mono, now=lambda: clock.wall)
    issued = await tokens.issue_token(owner.user_id, expires_at=clock.wall + timedelta(seconds=10))
    assert isinstance(await authenticator.authenticate(bearer(issued.token)), Principal)
    clock.advance(10)  # cached, but expired all the same
    refused = await authenticator.authenticate(bearer(issued.token))
    assert isinstance(refused, Refusal) and "expired" in refused.message


async def test_the_cache_forgets_a_token_when_revocation_is_announced(
    app: Any, owner: Account
) -> None:
    authenticator = Authenticator()
    issued = await tokens.issue_token(owner.user_id)
    assert isinstance(await authenticator.authenticate(bearer(issued.token)), Principal)
    assert await tokens.revoke(issued.token_id)  # behind its back: still cached
    assert isinstance(await authenticator.authenticate(bearer(issued.token)), Principal)
    authenticator.on_announce(Announcement.ACCESS)  # not about tokens
    assert isinstance(await authenticator.authenticate(bearer(issued.token)), Principal)
    authenticator.on_announce(Announcement.TOKENS)
    assert await authenticator.authenticate(bearer(issued.token)) == Refusal(UNKNOWN)


async def test_a_change_counted_elsewhere_is_heard_as_every_kind(app: Any) -> None:
    """What a process missed on the bus it finds in the stored count (events.watch)."""
    heard: list[Announcement] = []
    changes = StoredChanges(routing_version, heard.append, interval=3600)
    assert await changes.check() is False  # the first look takes the count
    assert await changes.check() is False and heard == []
    await bump_routing_version()
    assert await changes.check() is True
    assert heard == [Announcement.ACCESS, Announcement.WEBHOOKS, Announcement.TOKENS]


def cli(args: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOOKLINE_DATABASE_URL": f"sqlite://{db}"}
    return subprocess.run(
        [sys.executable, "-m", "hookline.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def routing_count(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        row = connection.execute(
            "SELECT event_id FROM stream_cursor WHERE name = 'routing-version'"
        ).fetchone()
    return int(row[0]) if row else 0


def test_token_revoke_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    made = json.loads(cli(["bootstrap", "--company", "Acme", "--email", "a@acme.test"], db).stdout)
    version = routing_count(db)
    result = cli(["token", "revoke", "--id", made["tokenId"]], db)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"tokenId": made["tokenId"], "revoked": True}
    assert routing_count(db) == version + 1  # what servers on this database look for
    again = cli(["token", "revoke", "--id", made["tokenId"]], db)
    assert again.returncode == 2 and "no token" in again.stderr and "Traceback" not in again.stderr
