"""The GraphQL endpoint: Strawberry's ASGI view with our context and authentication.

A context keeps the credentials the caller presented; the principal is derived from them again at
every root field (resolvers.authz.Authenticated), so a socket outlives no revocation.
"""

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
)

from hookline.auth import NO_TOKEN
from hookline.graphiql import GraphiQLPage
from resolvers.context import Context, Principal, Services

PROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL)


class HooklineGraphQL(GraphQL):
    def __init__(self, schema: Any, services: Services) -> None:
        super().__init__(
            schema, subscription_protocols=PROTOCOLS, keep_alive=True, keep_alive_interval=15
        )
        self.services = services
        self.graphiql = GraphiQLPage()

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our own page, whose files this service serves (Strawberry's loads them from a CDN)."""
        return self.graphiql.response()

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
        presented: Mapping[str, object] = params
        verdict = await authenticator.authenticate(presented)
        if not isinstance(verdict, Principal) and verdict.message == NO_TOKEN:
            presented = context.request.headers  # nothing in connection_init: the upgrade's
            verdict = await authenticator.authenticate(presented)
        if not isinstance(verdict, Principal):
            raise ConnectionRejectionError({"message": verdict.message})
        context.credentials = presented
