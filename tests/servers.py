"""Real servers for tests, and the raw clients that talk to them.

`uvicorn_server` serves an ASGI app on a free port inside this process (on the test loop);
`HooklineProcess` runs a `hookline` server command as a subprocess, `RemoteGraphQL` talks to it,
`ListenProcess` runs `hookline listen`. `GraphQLWebSocket` speaks
graphql-transport-ws or legacy graphql-ws over a raw `websockets` connection; `sse_events`
reads a graphql-sse stream (distinct-connections mode).
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn
from websockets.asyncio.client import ClientConnection, connect

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
HOOKLINE = [sys.executable, "-m", "hookline.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def uvicorn_server(app: Any, **options: Any) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 and yield "host:port". The app's lifespan is the caller's."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_config=None,
        log_level="warning",
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=2,
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(), name="uvicorn")
    while not server.started:
        if task.done():
            task.result()  # startup failed: raise its error
            raise RuntimeError("uvicorn exited during startup")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def hookline_cli(args: list[str], env: Mapping[str, str]) -> Any:
    """Run one `hookline` command to completion and return its JSON output."""
    process = await asyncio.create_subprocess_exec(
        *HOOKLINE,
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return json.loads(out) if out.strip() else None


async def bootstrap(env: Mapping[str, str], company: str = "Acme") -> dict[str, Any]:
    """`hookline bootstrap`: a company, its owner, a project "Web" and the owner's token."""
    email = f"owner-{uuid.uuid4().hex[:8]}@acme.test"
    return await hookline_cli(
        ["bootstrap", "--company", company, "--email", email, "--project", "Web"], env
    )


class HooklineProcess:
    """A `hookline` server command (`serve`, `serve --no-bridge`, `bridge`) in a subprocess on
    a free port, logging to a file; ready once its /readyz answers 200. The one way tests start
    a server process: start/stop/kill may be called again to restart it on the same port."""

    def __init__(
        self,
        env: Mapping[str, str],
        log: Path,
        args: Sequence[str] = ("serve", "--no-bridge"),
    ) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.url = f"http://{self.address}"
        self.env = {**os.environ, **env}
        self.args = list(args)
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> Self:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*HOOKLINE, *self.args, "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        async with httpx.AsyncClient() as http:
            for _ in range(600):
                if self.process.poll() is not None:
                    break
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(f"{self.url}/readyz")).status_code == 200:
                        return self
                await asyncio.sleep(0.05)
        await self.stop()
        raise RuntimeError(f"hookline {self.args} did not start:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """kill -9, and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            await asyncio.to_thread(self.process.wait, 20)
        except subprocess.TimeoutExpired:
            self.kill()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


class RemoteGraphQL:
    """GraphQL over HTTP to a server process, as one user (the shape of tests.conftest.Client)."""

    def __init__(self, http: httpx.AsyncClient, url: str, made: Mapping[str, Any]) -> None:
        self.http = http
        self.url = f"{url}/graphql"
        self.headers = {
            "Authorization": f"Bearer {made['token']}",
            "X-Bloo-Company-ID": str(made["companyId"]),
        }

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=self.headers
        )
        return response.json()

    async def __call__(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of an operation that must succeed."""
        body = await self.raw(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]


class GraphQLWebSocket:
    """A raw GraphQL-over-WebSocket client: graphql-transport-ws or legacy graphql-ws."""

    def __init__(self, socket: ClientConnection, protocol: str) -> None:
        self.socket = socket
        self.protocol = protocol
        self._held: dict[Any, list[dict[str, Any]]] = {}  # messages read for other operations

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls,
        address: str,
        payload: dict[str, Any],
        protocol: str = TRANSPORT_WS,
        receive_buffer: int | None = None,
        **options: Any,
    ) -> AsyncIterator["GraphQLWebSocket"]:
        """Connect, send connection_init and wait for the ack.

        receive_buffer shrinks the socket's SO_RCVBUF, for a client that should stall early.
        """
        if receive_buffer is not None:
            host, port = address.rsplit(":", 1)
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
            options["sock"] = sock
        async with connect(
            f"ws://{address}/graphql", subprotocols=[protocol], compression=None, **options
        ) as sock:
            client = cls(sock, protocol)
            await sock.send(json.dumps({"type": "connection_init", "payload": payload}))
            ack = await client.receive()
            assert ack["type"] == "connection_ack", ack
            yield client

    async def subscribe(
        self, op_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        message = {"id": op_id, "type": kind, "payload": {"query": query, "variables": variables}}
        await self.socket.send(json.dumps(message))

    async def receive(self, timeout: float = 10) -> dict[str, Any]:
        """The next protocol message, skipping keep-alives."""
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if message["type"] == "ping":
                await self.socket.send(json.dumps({"type": "pong"}))
            elif message["type"] not in ("pong", "ka"):
                return message

    async def message_for(self, op_id: str, timeout: float = 10) -> dict[str, Any]:
        """The next message of one operation; messages of others are held until asked for
        (use this, not receive, on a socket that runs several operations at once)."""
        held = self._held.setdefault(op_id, [])
        while not held:
            message = await self.receive(timeout)
            self._held.setdefault(message.get("id"), []).append(message)
        return held.pop(0)

    async def execute(
        self, op_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run a query or mutation on this socket and return its one result's payload."""
        await self.subscribe(op_id, query, variables)
        message = await self.message_for(op_id)
        assert message["type"] in ("next", "data"), message
        assert (await self.message_for(op_id))["type"] == "complete"
        return message["payload"]

    async def payload(self, timeout: float = 10) -> dict[str, Any]:
        """The payload of the next result (`next` / `data`); fails on anything else."""
        message = await self.receive(timeout)
        assert message["type"] in ("next", "data"), message
        return message["payload"]

    async def events(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        """The next `count` streamed values, each the single root field's data."""
        values = []
        for _ in range(count):
            payload = await self.payload(timeout)
            assert not payload.get("errors"), payload
            [value] = payload["data"].values()
            values.append(value)
        return values


async def sse_events(
    http: httpx.AsyncClient, url: str, body: dict[str, Any], headers: Mapping[str, str]
) -> AsyncIterator[tuple[str, Any]]:
    """(event, data) pairs of a graphql-sse stream in distinct-connections mode."""
    headers = {**headers, "Accept": "text/event-stream"}
    async with http.stream("POST", url, json=body, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        event, data = "message", ""
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif line == "" and (data or event == "complete"):
                yield event, json.loads(data) if data else None
                event, data = "message", ""


class ListenProcess:
    """`hookline listen` in a subprocess, its output lines collected as they come. The one way
    tests run a listener: start/kill/stop may be called again to restart it with the same
    arguments and state folder (so it resumes from its saved cursor)."""

    def __init__(
        self,
        server: str,
        token: str,
        forward_to: str,
        state_home: Path,
        *args: str,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.args = ["listen", "--server", server, "--token", token, "--forward-to", forward_to]
        self.args += args
        self.env = {**os.environ, "XDG_STATE_HOME": str(state_home), **(env or {})}
        self.out: list[str] = []
        self.err: list[str] = []
        self.secret = ""
        self.process: asyncio.subprocess.Process | None = None
        self._changed = asyncio.Condition()
        self._readers: list[asyncio.Task[None]] = []
        self._closed = 0  # output streams at their end

    async def start(self) -> Self:
        """Start, and wait for the signing secret it prints first."""
        self._closed = 0
        self.process = await asyncio.create_subprocess_exec(
            *HOOKLINE,
            *self.args,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            asyncio.create_task(self._collect(self.process.stdout, self.out)),
            asyncio.create_task(self._collect(self.process.stderr, self.err)),
        ]
        first = await self.line(lambda line: line.startswith("Signing secret: "))
        self.secret = first.split()[2]
        return self

    async def _collect(self, stream: asyncio.StreamReader, lines: list[str]) -> None:
        while raw := await stream.readline():
            async with self._changed:
                lines.append(raw.decode().rstrip("\n"))
                self._changed.notify_all()
        async with self._changed:
            self._closed += 1
            self._changed.notify_all()

    async def line(
        self, matches: Callable[[str], bool], within: float = 30, stream: str = "out"
    ) -> str:
        """The first line of stdout (or "err") that matches, waiting for it."""
        lines = self.out if stream == "out" else self.err

        def found() -> str | None:
            return next((line for line in lines if matches(line)), None)

        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: found() is not None or self.exited), within
                )
            except TimeoutError:
                raise AssertionError(
                    f"no such line; stdout {self.out}, stderr {self.err}"
                ) from None
        line = found()
        assert line is not None, f"listen exited: stdout {self.out}, stderr {self.err}"
        return line

    @property
    def exited(self) -> bool:
        """It has closed its output: it ended, or is about to."""
        return self._closed == 2

    async def wait(self, within: float = 30) -> int:
        """Its exit status, once it ended by itself."""
        assert self.process is not None
        code = await asyncio.wait_for(self.process.wait(), within)
        await asyncio.gather(*self._readers)
        return code

    async def kill(self) -> None:
        """kill -9, and reap it."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.wait()

    async def stop(self) -> None:
        """SIGINT, as Ctrl-C; kill -9 if it has not ended within 10 s."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await self.wait(10)
        except TimeoutError:
            await self.kill()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
