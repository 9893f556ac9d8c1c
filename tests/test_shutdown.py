"""SIGTERM lets an in-flight delivery finish and records it before the process exits."""

import asyncio
import signal
import sqlite3
from pathlib import Path

import httpx

from tests.receiver import Receiver
from tests.servers import HooklineProcess, RemoteGraphQL, bootstrap


async def test_sigterm_finishes_in_flight_attempts(tmp_path: Path, receiver: Receiver) -> None:
    db, log = tmp_path / "shutdown.db", tmp_path / "server.log"
    env = {"HOOKLINE_DATABASE_URL": f"sqlite://{db}", "HOOKLINE_ALLOW_PRIVATE_URLS": "1"}
    server = await HooklineProcess(env, log, args=("serve",)).start()
    try:
        made = await bootstrap(server.env)
        async with httpx.AsyncClient(timeout=10) as http:
            gql = RemoteGraphQL(http, server.url, made)
            await gql(
                "mutation($u:String!){createWebhook(input:{url:$u,events:[TODO_LIST_CREATED]}){id}}",
                {"u": receiver.url},
            )
            receiver.default = (200, {}, 1.5)  # the endpoint takes its time
            await gql(
                'mutation($p:String!){createTodoList(input:{projectId:$p,title:"L"}){id}}',
                {"p": made["projectId"]},
            )
            await receiver.wait_for(1)  # the attempt is in flight now
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(server.process.wait, 30)
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert code in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in log.read_text()
    finally:
        await server.stop()
    with sqlite3.connect(db) as connection:
        status, attempts = connection.execute(
            "SELECT status, attempt_count FROM delivery"
        ).fetchone()
        [(status_code,)] = connection.execute("SELECT status_code FROM delivery_attempt").fetchall()
    assert (status, attempts, status_code) == ("SUCCEEDED", 1, 200)
