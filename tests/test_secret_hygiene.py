"""Secrets are not kept longer or more openly than needed: a rotated-out webhook secret is erased
when its grace period ends; a new SQLite database file is readable by its owner only."""

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bridge import retention
from models.webhooks import Webhook
from tests.conftest import Client
from tests.receiver import Receiver
from tests.servers import HooklineProcess, hookline_cli
from tests.tracker import create

ROTATE = (
    "mutation($w:String!,$g:Int!)"
    "{rotateWebhookSecret(input:{webhookId:$w,gracePeriodSeconds:$g}){secret}}"
)


async def test_the_previous_secret_is_erased_when_its_grace_period_ends(
    gql: Client, receiver: Receiver
) -> None:
    made = await create(gql, receiver.url)
    await gql(ROTATE, {"w": made["id"], "g": 60})
    rotated = await Webhook.get(id=made["id"])
    assert rotated.previous_secret == made["secret"]
    await retention.erase_expired_secrets()  # still in its grace period: kept
    assert (await Webhook.get(id=made["id"])).previous_secret == made["secret"]
    await retention.erase_expired_secrets(datetime.now(UTC) + timedelta(seconds=61))
    erased = await Webhook.get(id=made["id"])
    assert erased.previous_secret is None and erased.previous_secret_expires_at is None
    assert erased.secret == rotated.secret  # the current one is untouched


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # what most systems have: files readable by everyone
    try:
        database = tmp_path / "fresh.db"
        env = {"HOOKLINE_DATABASE_URL": f"sqlite://{database}"}
        await hookline_cli(["migrate"], env)
        assert mode(database) == 0o600
        served = tmp_path / "served.db"
        env = {"HOOKLINE_DATABASE_URL": f"sqlite://{served}"}
        async with HooklineProcess(env, tmp_path / "serve.log", args=("serve",)):
            files = [served, *(served.with_name(served.name + s) for s in ("-wal", "-shm"))]
            assert {f.name: mode(f) for f in files if f.exists()} == {
                f.name: 0o600 for f in files if f.exists()
            }
            assert (served.with_name(served.name + "-wal")).exists()  # WAL is in use
    finally:
        os.umask(old_umask)
