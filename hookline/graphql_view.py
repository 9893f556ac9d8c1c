"""The GraphQL endpoint: Strawberry's ASGI view with our context and authentication."""

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

from hookline.admission import SCOPE_KEY, Admission
from hookline.auth import NO_TOKEN, identify
from hookline.graphiql import GraphiQLPage
from resolvers.context import Context, Services
from schema.errors import RateLimited

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
        if not isinstance(request, WebSocket):  # sockets authenticate in on_ws_connect
            identity = await identify(request.headers)
            context.principal, context.auth_problem = identity.principal, identity.problem
            context.response = response
        return context

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        identity = await identify(params)
        if identity.problem == NO_TOKEN:  # nothing in connection_init: try the upgrade's headers
            identity = await identify(context.request.headers)
        admission: Admission | None = context.request.scope.get(SCOPE_KEY)
        if identity.principal is None:
            if admission is not None:
                await admission.refuse()
            raise ConnectionRejectionError({"message": identity.problem})
        if admission is not None:
            try:
                await admission.admit(identity.principal)
            except RateLimited as exc:
                raise ConnectionRejectionError(exc.formatted) from None
        context.principal = identity.principal
