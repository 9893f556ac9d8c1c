"""The GraphQL endpoint: Strawberry's ASGI view with our context and authentication.

A context keeps the credentials the caller presented; the principal is derived from them at the
start of every operation (resolvers.authz.FreshAccess), so a socket outlives no revocation.
"""

from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
)

from resolvers.context import Context, Principal, Services

PROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL)


class HooklineGraphQL(GraphQL):
    def __init__(self, schema: Any, services: Services) -> None:
        super().__init__(
            schema, subscription_protocols=PROTOCOLS, keep_alive=True, keep_alive_interval=15
        )
        self.services = services

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = Context(services=self.services, request=request)
        if not isinstance(request, WebSocket):  # sockets present theirs in connection_init
            context.credentials = request.headers
        return context

    async def on_ws_connect(self, context: Context) -> None:
        """Refuse a socket whose token is missing or refused at once (close 4403)."""
        authenticator = self.services.authenticator
        assert authenticator is not None
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        for presented in (params, context.request.headers):
            verdict = await authenticator.authenticate(presented)
            if verdict is not None:
                break
        if not isinstance(verdict, Principal):
            message = verdict.message if verdict is not None else "Missing token"
            raise ConnectionRejectionError({"message": message})
        context.credentials = presented
