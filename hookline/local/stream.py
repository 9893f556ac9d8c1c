"""The `events` subscription over graphql-transport-ws, read as a queue of events.

A reader task answers the server's pings and queues events as they arrive, so a slow local
receiver never keeps the socket from answering; the listener takes the events one at a time.
The first problem ends the stream, sorted as remote.py sorts them: Refused (the listener exits)
or Unreachable (it reconnects and resumes after its cursor).
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from hookline.local.remote import (
    USER_AGENT,
    LocalToolError,
    Refused,
    Server,
    Unreachable,
    refusal,
)

PROTOCOL = "graphql-transport-ws"
SUBSCRIPTION = """
subscription Listen($after: String, $events: [WebhookEvent!], $projectIds: [String!]) {
  events(after: $after, events: $events, projectIds: $projectIds) {
    id event companyId projectId userId createdAt previousValue currentValue
  }
}
"""
ACK_TIMEOUT = 15.0
# WebSocket pings: a connection that died under a sleeping laptop or a dropped network is
# noticed within about 1.5 x HEARTBEAT seconds, not when TCP finally gives up.
HEARTBEAT = 10.0
# Close codes of graphql-transport-ws (and Hookline's 4429) that waiting cannot change.
_REFUSED_CLOSES = {
    4400: "the server did not understand the listener (4400)",
    4401: "the server refused the token (4401 Unauthorized)",
    4403: "the server refused the token (4403 Forbidden)",
    4406: "the server does not speak graphql-transport-ws (4406)",
}


@dataclass(frozen=True)
class Filters:
    """--events and --project: None means all."""

    events: Sequence[str] | None = None
    project_ids: Sequence[str] | None = None


class EventStream:
    """One subscription on one socket; `next()` gives its events in order."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self._queue: asyncio.Queue[dict[str, Any] | LocalToolError] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls,
        session: aiohttp.ClientSession,
        server: Server,
        filters: Filters,
        after: int | None,
    ) -> AsyncIterator["EventStream"]:
        """Connect, authenticate, subscribe after `after` (None: from now on)."""
        socket = await _connect(session, server)
        stream = cls(socket)
        try:
            await stream._start(server, filters, after)
            yield stream
        finally:
            if stream._reader is not None:
                stream._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await stream._reader
            await socket.close()

    async def next(self) -> dict[str, Any]:
        """The next event (the `events` field's value), or the problem that ended the stream."""
        item = await self._queue.get()
        if isinstance(item, LocalToolError):
            self._queue.put_nowait(item)  # every later call sees the same end
            raise item
        return item

    async def _start(self, server: Server, filters: Filters, after: int | None) -> None:
        await self._send(
            {"type": "connection_init", "payload": {"authorization": server.authorization}}
        )
        try:
            async with asyncio.timeout(ACK_TIMEOUT):
                while (message := await self._receive()).get("type") != "connection_ack":
                    self._answer_ping(message)
        except TimeoutError:
            raise Unreachable("the server did not acknowledge the connection in time") from None
        variables: dict[str, Any] = {"after": None if after is None else str(after)}
        if filters.events:
            variables["events"] = list(filters.events)
        if filters.project_ids:
            variables["projectIds"] = list(filters.project_ids)
        await self._send(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIPTION, "variables": variables},
            }
        )
        self._reader = asyncio.create_task(self._read(), name="hookline-listen-reader")

    async def _read(self) -> None:
        try:
            while True:
                message = await self._receive()
                kind = message.get("type")
                if kind == "next":
                    payload = message.get("payload") or {}
                    if payload.get("errors"):
                        raise refusal(payload["errors"])
                    self._queue.put_nowait(payload["data"]["events"])
                elif kind == "error":
                    payload = message.get("payload")
                    raise refusal(payload if isinstance(payload, list) else [])
                elif kind == "complete":
                    raise Unreachable("the server ended the subscription")
                else:
                    self._answer_ping(message)
        except LocalToolError as exc:
            self._queue.put_nowait(exc)
        except (KeyError, TypeError) as exc:
            self._queue.put_nowait(Refused(f"the server sent a malformed event ({exc!r})"))

    def _answer_ping(self, message: dict[str, Any]) -> None:
        if message.get("type") == "ping":
            # A pong is tiny and the socket buffers it: no need to wait for the send.
            task = asyncio.ensure_future(self._send({"type": "pong"}))
            task.add_done_callback(lambda done: done.cancelled() or done.exception())

    async def _send(self, message: dict[str, Any]) -> None:
        try:
            await self.socket.send_str(json.dumps(message))
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise Unreachable(f"connection lost: {exc}") from None

    async def _receive(self) -> dict[str, Any]:
        message = await self.socket.receive()
        if message.type == aiohttp.WSMsgType.TEXT:
            try:
                value = json.loads(message.data)
            except ValueError:
                raise Refused("the server sent a message that is not JSON") from None
            if not isinstance(value, dict):
                raise Refused("the server sent a message that is not a JSON object")
            return value
        if message.type == aiohttp.WSMsgType.ERROR:
            raise Unreachable(f"connection lost: {message.data}")
        if message.type == aiohttp.WSMsgType.CLOSE:  # the server's close frame: code, reason
            raise _closed(message.data, message.extra)
        raise _closed(self.socket.close_code, None)


def _closed(code: int | None, text: str | None) -> LocalToolError:
    if code in _REFUSED_CLOSES:
        return Refused(_REFUSED_CLOSES[code])
    reason = f": {text}" if text else ""
    if code == 4429:
        return Unreachable(f"the server refused another connection for now{reason}")
    if code in (None, 1006):
        return Unreachable("connection lost")
    return Unreachable(f"the server closed the connection ({code}{reason})")


async def _connect(
    session: aiohttp.ClientSession, server: Server
) -> aiohttp.ClientWebSocketResponse:
    try:
        return await session.ws_connect(
            server.websocket_url,
            protocols=(PROTOCOL,),
            heartbeat=HEARTBEAT,
            headers={"User-Agent": USER_AGENT},
            timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
            autoping=True,
            compress=0,
        )
    except aiohttp.WSServerHandshakeError as exc:
        if exc.status == 429 or exc.status >= 500:
            raise Unreachable(f"{server.websocket_url} answered HTTP {exc.status}") from None
        raise Refused(
            f"{server.websocket_url} refused the WebSocket (HTTP {exc.status}): "
            "is --server a Hookline server?"
        ) from None
    except TimeoutError:
        raise Unreachable(f"{server.websocket_url} did not answer in time") from None
    except aiohttp.ClientError as exc:
        raise Unreachable(f"cannot reach {server.websocket_url}: {exc}") from None
