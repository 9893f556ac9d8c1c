"""The GraphQL endpoint: Strawberry's ASGI view with our context, authentication, and the
GraphQL-over-HTTP rules Strawberry leaves open.

Over HTTP every refusal is JSON (`{"errors": [...]}` with a code), a body must be a JSON object in
UTF-8, a mutation needs POST (405 otherwise) and a subscription needs a stream (WebSocket, or
SSE with `Accept: text/event-stream`). A client accepting `application/graphql-response+json`
gets 4xx without `data` for a request that never ran (see hookline.media).

A context keeps the credentials the caller presented; the principal is derived from them again at
every root field (resolvers.authz.Authenticated), so a socket outlives no revocation.
"""

import asyncio
from collections.abc import Collection, Mapping
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from hookline import jsonbody
from hookline.admission import MAX_REASON, SCOPE_KEY, Admission
from hookline.auth import NO_TOKEN
from hookline.graphiql import GraphiQLPage
from hookline.media import GRAPHQL_RESPONSE_JSON, response_type
from resolvers.context import Context, Principal, Services
from schema.errors import BAD_USER_INPUT, INTERNAL_SERVER_ERROR, RateLimited

PROTOCOLS = (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL)
QUERIES = frozenset({OperationType.QUERY})
QUERIES_AND_MUTATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


class Refused(HTTPException):
    """A request refused before any operation ran, with the headers the status calls for."""

    def __init__(self, status_code: int, reason: str, headers: dict[str, str] | None = None):
        super().__init__(status_code, reason)
        self.headers = headers or {}


def never_ran(result: ExecutionResult) -> bool:
    """A request error (parse, validation, variables): no data, and no error of a field."""
    return (
        result.data is None and bool(result.errors) and all(e.path is None for e in result.errors)
    )


def malformed(message: object, start: str, stop: str) -> str | None:
    """Why a socket message cannot be handled, if it cannot. Strawberry indexes into messages
    as the protocol shapes them: a list, a string, or a payload of the wrong shape raised out of
    its handler (an ERROR logged, the socket dropped without a close frame) or ended the
    operation with no error. `start` and `stop` are the protocol's names for those messages."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "A message must be a JSON object with a string type"
    if message["type"] not in (start, stop):
        return None
    if not isinstance(message.get("id"), str):
        return f"A {message['type']} message needs a string id"
    if message["type"] == stop:
        return None
    payload = message.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return f"A {start} message needs a payload object with a string query"
    for key, kind, name in (
        ("variables", dict, "an object"),
        ("operationName", str, "a string"),
        ("extensions", dict, "an object"),
    ):
        if payload.get(key) is not None and not isinstance(payload[key], kind):
            return f"payload.{key} must be {name}"
    return None


class OneStartAtATime(BaseGraphQLTransportWSHandler[Context, None]):
    """Reads a socket's next message once the operation just asked for has begun. Strawberry
    starts a task per subscribe message without yielding, so a hundred messages read from one
    socket's buffer would parse, validate and run their first steps in a single turn of the
    event loop, and every delivery and request in flight would wait that turn out."""

    async def handle_message(self, message: Any) -> None:
        problem = malformed(message, "subscribe", "complete")
        if problem is not None:
            await self.handle_invalid_message(problem)  # closes with 4400
            return
        await super().handle_message(message)

    async def handle_subscribe(self, message: Any) -> None:
        await super().handle_subscribe(message)
        await asyncio.sleep(0)  # the new operation's first step, in a loop turn of its own


class LegacyShapes(BaseGraphQLWSHandler[Context, None]):
    """The legacy graphql-ws protocol, its malformed messages refused as the newer one's are."""

    async def handle_message(self, message: Any) -> None:
        problem = malformed(message, "start", "stop")
        if problem is not None:
            await self.websocket.close(code=4400, reason=problem)
            return
        await super().handle_message(message)


class HooklineGraphQL(GraphQL):
    graphql_transport_ws_handler_class = OneStartAtATime
    graphql_ws_handler_class = LegacyShapes

    def __init__(
        self, schema: Any, services: Services, allowed_origins: Collection[str] = ()
    ) -> None:
        super().__init__(
            schema,
            subscription_protocols=PROTOCOLS,
            keep_alive=True,
            keep_alive_interval=15,
            allowed_origins=tuple(allowed_origins),
        )
        self.services = services
        self.graphiql = GraphiQLPage()

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our own page, whose files this service serves (Strawberry's loads them from a CDN)."""
        return self.graphiql.response()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, _sendable_close(send))
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = _refusal(request, exc)
        await response(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context = Context(services=self.services, request=request)
        if not isinstance(request, WebSocket):  # sockets present theirs in connection_init
            context.credentials = request.headers  # authenticated by each operation
            context.response = response
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
        admission: Admission | None = context.request.scope.get(SCOPE_KEY)
        if not isinstance(verdict, Principal):
            if admission is not None:
                await admission.refuse()
            raise ConnectionRejectionError({"message": verdict.message})
        if admission is not None:
            try:
                await admission.admit(verdict)
            except RateLimited as exc:
                raise ConnectionRejectionError(exc.formatted) from None
        # Each operation authenticates these again (resolvers.authz.FreshIdentity).
        context.credentials, context.principal = presented, verdict

    def parse_json(self, data: str | bytes) -> dict[str, Any]:
        """Every JSON document of a request (the body, GET's variables) is an object in UTF-8."""
        try:
            value = jsonbody.parse(data)
        except ValueError:  # UnicodeDecodeError is a ValueError too
            raise Refused(400, "The request body is not valid JSON in UTF-8") from None
        if not isinstance(value, dict):
            raise Refused(400, "A GraphQL request must be a JSON object")
        return value

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """One JSON answer: Strawberry would also run a subscription here and fail in it."""
        get = request_adapter.method == "GET"
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=QUERIES if get else QUERIES_AND_MUTATIONS,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type == OperationType.SUBSCRIPTION:
                raise Refused(
                    400,
                    "A subscription needs a stream: use a WebSocket (graphql-transport-ws or "
                    "graphql-ws) or SSE (POST with Accept: text/event-stream)",
                ) from None
            raise Refused(405, "Mutations need POST", {"Allow": "POST"}) from None
        except CannotGetOperationTypeError as exc:
            raise Refused(400, exc.as_http_error_reason()) from None
        except MissingQueryError:
            raise Refused(400, "No GraphQL query found in the request") from None

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_type(request.headers.get("accept"))
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        answer = await super().process_result(request, result)
        wanted = response_type(request.headers.get("accept"))
        if wanted == GRAPHQL_RESPONSE_JSON and never_ran(result):
            del answer["data"]
        return answer

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            # A status an operation set (a 429 of the rate limits) stands.
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = sub_response.status_code or _request_error_status(
                    response_data
                )
        return response


def _sendable_close(send: Send) -> Send:
    """`send`, with a close reason that echoes what a client sent (an operation's name)
    written so that UTF-8 can carry it (a lone surrogate failed the close frame itself), and
    cut to what a close frame holds."""

    async def sending(message: Message) -> None:
        reason = message.get("reason") if message["type"] == "websocket.close" else None
        if reason:
            sendable = reason.encode("utf-8", "backslashreplace")[:MAX_REASON]
            message = {**message, "reason": sendable.decode(errors="ignore")}
        await send(message)

    return sending


def _request_error_status(answer: GraphQLHTTPResponse) -> int:
    """400 for a client's request error; 500 when what stopped it was a fault of ours."""
    errors: list[Any] = answer.get("errors") or []
    codes = {(e.get("extensions") or {}).get("code") for e in errors}
    return 500 if INTERNAL_SERVER_ERROR in codes else 400


def _refusal(request: Request, exc: HTTPException) -> Response:
    media = response_type(request.headers.get("accept"))
    body = {"errors": [{"message": exc.reason, "extensions": {"code": BAD_USER_INPUT}}]}
    return jsonbody.Answer(
        body,
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
        media_type=f"{media}; charset=utf-8" if media == GRAPHQL_RESPONSE_JSON else media,
    )
