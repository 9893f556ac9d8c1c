"""Admission in front of the GraphQL view, before anything is parsed.

HTTP requests take turns by their credentials: a burst from one token (or one address without
a token) waits here, costing nothing, while others' requests go in. The key is a digest of the
whole credential, so someone who knows a token's id but not its secret cannot queue in its
place. Event streams (SSE) are not held here; the subscription quota bounds them.

A socket holds a place among its client address's sockets awaiting connection_init until it
authenticates; then one among its token's open connections, for as long as it lives. A socket
refused for a limit is closed with 4429 and the limit in the reason, not Strawberry's 4403.
"""

import hashlib
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hookline.auth import credentials
from resolvers.context import Limiter, Principal, Quota, Rate
from schema.errors import RateLimited

SCOPE_KEY = "hookline.admission"
TOO_MANY = 4429
MAX_REASON = 120  # a close frame's reason holds 123 bytes


class Admission:
    """The places one socket holds; the view calls `admit` or `refuse` at connection_init."""

    def __init__(self, limiter: Limiter, address: str) -> None:
        self.limiter = limiter
        self.address = address
        self.refusal: RateLimited | None = None
        self._release_pending = limiter.occupy(Quota.PENDING_CONNECTIONS, address)
        self._release_connection = lambda: None

    async def admit(self, principal: Principal) -> None:
        """Count the connection against its token; raise RateLimited when one is spent."""
        self._release_pending()
        if principal.token_id is None:
            return
        try:
            # The quota first: a socket it refuses does not spend the token's rate.
            release = self.limiter.occupy(Quota.CONNECTIONS, principal.token_id)
            try:
                await self.limiter.hit(Rate.CONNECTIONS, principal.token_id)
            except RateLimited:
                release()
                raise
            self._release_connection = release
        except RateLimited as exc:
            self.refusal = exc
            raise

    async def refuse(self) -> None:
        """No valid token: counted against the address like an anonymous request."""
        self._release_pending()
        try:
            await self.limiter.hit(Rate.ANONYMOUS, self.address)
        except RateLimited as exc:
            self.refusal = exc

    def close(self) -> None:
        self._release_pending()
        self._release_connection()


class AdmitSockets:
    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            key = turn_key(scope)
            if key is None:
                await self.app(scope, receive, send)
                return
            try:
                self.limiter.may_wait(key)
            except RateLimited as exc:  # 429 in GraphQL's error shape, the body left unread
                headers = {"Retry-After": str(exc.retry_after)}
                refusal = JSONResponse({"errors": [exc.formatted]}, 429, headers)
                await refusal(scope, receive, send)
                return
            async with self.limiter.turn(key):
                await self.app(scope, receive, send)
            return
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        try:
            admission = Admission(self.limiter, client[0] if client else "unknown")
        except RateLimited as exc:
            await _refuse_handshake(scope, receive, send, exc)
            return
        scope[SCOPE_KEY] = admission

        async def send_as_refused(message: Message) -> None:
            if message["type"] == "websocket.close" and admission.refusal is not None:
                reason = admission.refusal.message.encode()[:MAX_REASON].decode(errors="ignore")
                message = {**message, "code": TOO_MANY, "reason": reason}
            await send(message)

        try:
            await self.app(scope, receive, send_as_refused)
        finally:
            admission.close()


async def _refuse_handshake(scope: Scope, receive: Receive, send: Send, exc: RateLimited) -> None:
    """Refuse before accepting: a 429 where the server can send one, else a close (403)."""
    await receive()  # websocket.connect
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1013})
        return
    body = exc.message.encode()
    await send(
        {
            "type": "websocket.http.response.start",
            "status": 429,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})


def turn_key(scope: Scope) -> str | None:
    """Whose turn an HTTP request takes; None for an event stream, which is not held."""
    headers = Headers(scope=scope)
    if "text/event-stream" in headers.get("accept", ""):
        return None
    return caller_key(headers, scope.get("client"))


def caller_key(presented: Mapping[str, object], client: Any) -> str:
    """Whose turn a request with these credentials takes (REST Hooks take turns by it too)."""
    found = credentials(presented)
    if found is not None:
        return "credential:" + hashlib.sha256("\0".join(found).encode()).hexdigest()[:32]
    return f"address:{client[0] if client else 'unknown'}"
