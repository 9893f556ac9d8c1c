"""SIGTERM lets an in-flight delivery finish and records it before the process exits."""

import asyncio
import signal
import sqlite3
from pathlib import Path

from tests.receiver import Receiver
from tests.test_crash import Server


async def test_sigterm_finishes_in_flight_attempts(tmp_path: Path, receiver: Receiver) -> None:
    server = Server(tmp_path / "shutdown.db", tmp_path / "server.log")
    await server.start()
    try:
        made = server.bootstrap()
        async with server.client(made) as client:

            async def gql(query: str, variables: dict) -> dict:
                return await server.gql(client, query, variables)

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
        server.process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(server.process.wait, 30)
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert code in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in server.log.read_text()
    finally:
        server.stop()
    with sqlite3.connect(server.db) as db:
        status, attempts = db.execute("SELECT status, attempt_count FROM delivery").fetchone()
        [(status_code,)] = db.execute("SELECT status_code FROM delivery_attempt").fetchall()
    assert (status, attempts, status_code) == ("SUCCEEDED", 1, 200)
