"""The receivers printed in docs/webhooks.md verify a real delivery, and refuse a forged one.

The code is taken from the document itself, so the walkthrough cannot drift from what works.
"""

import asyncio
import contextlib
import json
import re
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from models.webhooks import Delivery
from tests.conftest import Account, Client
from tests.servers import free_port
from tests.tracker import Tracker

WALKTHROUGH = Path(__file__).parent.parent / "docs" / "webhooks.md"
NODE = shutil.which("node")

RECEIVERS = {
    "python": ("# receiver.py", [sys.executable]),
    "node": ("// receiver.js", [NODE or "node"]),
}


def code_block(first_line: str) -> str:
    blocks = re.findall(r"^```\w*\n(.*?)^```", WALKTHROUGH.read_text(), re.MULTILINE | re.DOTALL)
    [found] = [b for b in blocks if b.startswith(first_line)]
    return found


@contextlib.asynccontextmanager
async def receiver(
    kind: str, secret: str, port: int, folder: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    first_line, command = RECEIVERS[kind]
    script = folder / first_line.split()[-1]
    script.write_text(code_block(first_line))
    process = await asyncio.create_subprocess_exec(
        *command,
        str(script),
        secret,
        env={"PORT": str(port), "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail(f"the {kind} receiver did not start")
        yield process
    finally:
        process.kill()
        await process.wait()


async def printed(process: asyncio.subprocess.Process) -> str:
    assert process.stdout is not None
    return (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()


@pytest.mark.parametrize("kind", ["python", "node"])
async def test_walkthrough_receiver_verifies_a_real_delivery(
    kind: str, gql: Client, owner: Account, tmp_path: Path
) -> None:
    if kind == "node" and NODE is None:
        pytest.skip("node is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    made = await gql(
        "mutation($u:String!){createWebhook(input:{url:$u,events:[TODO_CREATED]}){id secret}}",
        {"u": url},
    )
    hook = made["createWebhook"]
    async with receiver(kind, hook["secret"], port, tmp_path) as process:
        title = f"Ship it {uuid.uuid4().hex[:6]}"
        await Tracker(gql, owner.project_id).todo(title=title)
        assert await printed(process) == f"verified TODO_CREATED {title}"

        # A forged delivery: right shape, signatures made with another secret.
        async with httpx.AsyncClient() as http:
            forged = await http.post(
                url,
                content=json.dumps({"event": "TODO_CREATED", "currentValue": {"title": "x"}}),
                headers={
                    "X-Signature": "0" * 64,
                    "webhook-id": "msg_forged",
                    "webhook-timestamp": "0",
                    "webhook-signature": "v1,AAAA",
                },
            )
        assert forged.status_code == 401
        assert await printed(process) == "REJECTED TODO_CREATED x"

    for _ in range(500):  # the attempt is recorded just after the receiver answered
        delivery = await Delivery.get(webhook_id=hook["id"])
        if delivery.status == "SUCCEEDED":
            break
        await asyncio.sleep(0.02)
    attempts = await delivery.attempts.all()
    assert delivery.status == "SUCCEEDED" and [a.status_code for a in attempts] == [204]
