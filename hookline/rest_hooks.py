"""REST Hooks (resthooks.org, as Zapier, Make and n8n instant triggers speak it): a thin HTTP face
over the GraphQL schema. Each request runs one GraphQL operation in-process with the caller's
credentials, so a hook made here is the webhook createWebhook makes, checked by the same
resolvers and rules (URL guard, cap, permissions), authenticated and rate limited the same way;
this module only translates JSON in and out and turns error codes into HTTP statuses.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookline import jsonbody
from hookline.admission import caller_key
from hookline.rest_openapi import openapi
from models.event_types import EventType
from resolvers.context import Context, Services
from schema.errors import BAD_USER_INPUT, INTERNAL_SERVER_ERROR, RateLimited
from schema.paging import MAX_TAKE
from schema.root import schema

PREFIX = "/rest-hooks"
HOOK = "id name url events projectIds enabled status createdAt updatedAt disabledReason"
CREATE = f"mutation($i:CreateWebhookInput!){{createWebhook(input:$i){{{HOOK} secret}}}}"
READ = f"query($id:String!){{webhook(id:$id){{{HOOK}}}}}"
LIST = f"query($s:Int!,$t:Int!){{webhooks(skip:$s,take:$t){{items{{{HOOK}}}}}}}"
DELETE = "mutation($id:String!){deleteWebhook(input:{webhookId:$id}){success}}"
RECENT = (
    "query($e:[WebhookEvent!]!,$w:String,$t:Int!)"
    "{webhookRecentPayloads(events:$e,webhookId:$w,take:$t)}"
)
EVENT_TYPES = "{webhookEventTypes{event group description schema sample}}"
SUBSCRIBE_KEYS = frozenset({"target_url", "event", "events", "project_ids", "name"})

# Error codes (extensions.code, the same as GraphQL's) to HTTP statuses.
STATUSES = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    BAD_USER_INPUT: 400,
    "GRAPHQL_VALIDATION_FAILED": 400,
    "GRAPHQL_PARSE_FAILED": 400,
    "PLAN_LIMIT_REACHED": 409,  # the company's enabled webhooks are at the cap
    "RATE_LIMITED": 429,
}


class RestError(Exception):
    """An answer of 4xx/5xx with the JSON body `{"error": {"code", "message"}}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = dict(headers or {})
        self.field = field

    def response(self) -> Response:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return jsonbody.Answer({"error": error}, status_code=self.status, headers=self.headers)


def bad_input(message: str, field: str | None = None) -> RestError:
    return RestError(400, BAD_USER_INPUT, message, field=field)


@dataclass
class SubResponse:
    """Where an operation's refusal leaves its HTTP status and headers (a 429's Retry-After),
    as Strawberry's sub-response does for the GraphQL view."""

    status_code: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def presented(request: Request) -> dict[str, str]:
    """The request's headers as credentials; `X-API-Key: <tokenId>.<tokenSecret>` stands for
    `Authorization: Bearer …` when that is not sent."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    key = headers.get("x-api-key")
    if key and "authorization" not in headers:
        headers["authorization"] = f"Bearer {key}"
    return headers


async def run(request: Request, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """One GraphQL operation as the caller: its data, or a RestError made of its first error."""
    services: Services | None = getattr(request.app.state, "services", None)
    if services is None:
        raise RestError(503, "UNAVAILABLE", "The service is starting", {"Retry-After": "1"})
    credentials = presented(request)
    sub = SubResponse()
    context = Context(services=services, request=request, credentials=credentials, response=sub)
    turns = services.limiter
    if turns is None:
        result = await schema.execute(query, variable_values=variables, context_value=context)
    else:
        # Requests take turns by credential, as GraphQL requests do at the door.
        key = caller_key(credentials, request.client)
        try:
            turns.may_wait(key)
        except RateLimited as exc:
            retry = {"Retry-After": str(exc.retry_after)}
            raise RestError(429, exc.extensions["code"], exc.message, retry) from None
        async with turns.turn(key):
            result = await schema.execute(query, variable_values=variables, context_value=context)
    if not result.errors:
        assert result.data is not None
        return result.data
    extensions = result.errors[0].extensions or {}
    code = str(extensions.get("code") or INTERNAL_SERVER_ERROR)
    status = sub.status_code or STATUSES.get(code)
    if status is None:
        status = 404 if code.endswith("_NOT_FOUND") else 500
    headers = dict(sub.headers)
    if code == "UNAUTHENTICATED":
        headers["WWW-Authenticate"] = 'Bearer realm="hookline"'
    raise RestError(status, code, result.errors[0].message, headers, extensions.get("field"))


def hook(webhook: Mapping[str, Any]) -> dict[str, Any]:
    """A webhook as REST Hooks show it (snake_case; never the secret)."""
    return {
        "id": webhook["id"],
        "target_url": webhook["url"],
        "events": webhook["events"],
        "project_ids": webhook["projectIds"],
        "name": webhook["name"],
        "enabled": webhook["enabled"],
        "status": webhook["status"],
        "disabled_reason": webhook["disabledReason"],
        "created_at": webhook["createdAt"],
        "updated_at": webhook["updatedAt"],
    }


async def json_object(request: Request) -> dict[str, Any]:
    try:
        value = jsonbody.parse(await request.body())
    except ValueError:  # UnicodeDecodeError included
        raise bad_input("The request body is not valid JSON in UTF-8") from None
    if not isinstance(value, dict):
        raise bad_input("The request body must be a JSON object")
    return value


def event_names(values: list[Any], field: str) -> list[str]:
    """Event types as given, each one of the 37, at least one."""
    if not values:
        raise bad_input("Name at least one event type", field)
    unknown = [v for v in values if not isinstance(v, str) or v not in EventType.__members__]
    if unknown:
        raise bad_input(
            f"Unknown event type {unknown[0]!r}: GET {PREFIX}/event-types lists them", field
        )
    return list(dict.fromkeys(values))


def strings(body: Mapping[str, Any], key: str) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_input(f"{key} must be a list of strings", key)
    return value


def subscription(body: Mapping[str, Any]) -> dict[str, Any]:
    """createWebhook's input from a subscribe request."""
    unknown = sorted(set(body) - SUBSCRIBE_KEYS)
    if unknown:
        raise bad_input(
            f"Unknown key {unknown[0]!r}: send {', '.join(sorted(SUBSCRIBE_KEYS))}", unknown[0]
        )
    url = body.get("target_url")
    if not isinstance(url, str) or not url:
        raise bad_input("target_url is required: the URL to POST events to", "target_url")
    if ("event" in body) == ("events" in body):
        raise bad_input('Send either "event" (one type) or "events" (a list)', "event")
    if "event" in body:
        events = event_names([body["event"]], "event")
    else:
        events = event_names(strings(body, "events"), "events")
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise bad_input("name must be a string", "name")
    return {"url": url, "events": events, "projectIds": strings(body, "project_ids"), "name": name}


def number(request: Request, key: str, default: int, low: int, high: int) -> int:
    """A whole number from the query string, within [low, high]."""
    raw = request.query_params.get(key)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_input(f"{key} must be a whole number", key) from None
    if not low <= value <= high:
        raise bad_input(f"{key} must be between {low} and {high}", key)
    return value


# -- the endpoints ------------------------------------------------------------------------------


async def hooks(request: Request) -> Response:
    if request.method == "POST":
        created = (await run(request, CREATE, {"i": subscription(await json_object(request))}))[
            "createWebhook"
        ]
        answer = {**hook(created), "secret": created["secret"]}
        location = {"Location": f"{PREFIX}/{created['id']}"}
        return JSONResponse(answer, status_code=201, headers=location)
    variables = {
        "s": number(request, "offset", 0, 0, 2**31 - 1),
        "t": number(request, "limit", MAX_TAKE, 1, MAX_TAKE),
    }
    found = (await run(request, LIST, variables))["webhooks"]["items"]
    return JSONResponse([hook(w) for w in found])


async def one_hook(request: Request) -> Response:
    hook_id = request.path_params["hook_id"]
    if request.method == "DELETE":
        try:
            await run(request, DELETE, {"id": hook_id})
        except RestError as exc:
            if exc.code != "WEBHOOK_NOT_FOUND":  # already gone: unsubscribed all the same
                raise
        return Response(status_code=204)
    return JSONResponse(hook((await run(request, READ, {"id": hook_id}))["webhook"]))


async def recent(request: Request) -> Response:
    asked = [e for value in request.query_params.getlist("event") for e in value.split(",") if e]
    variables = {
        "e": event_names(asked, "event"),
        "w": request.query_params.get("hook_id") or None,
        "t": number(request, "limit", 10, 1, MAX_TAKE),
    }
    return JSONResponse((await run(request, RECENT, variables))["webhookRecentPayloads"])


async def event_types(request: Request) -> Response:
    return JSONResponse((await run(request, EVENT_TYPES, {}))["webhookEventTypes"])


async def openapi_document(request: Request) -> Response:
    return JSONResponse(openapi())


def endpoint(handler: Any, methods: tuple[str, ...]) -> Any:
    """Refusals as JSON: a RestError's status and body, 405 naming the methods allowed."""

    async def answer(request: Request) -> Response:
        if request.method not in methods:
            allowed = ", ".join(methods)
            refusal = RestError(405, "METHOD_NOT_ALLOWED", f"Use {allowed}", {"Allow": allowed})
            return refusal.response()
        try:
            return await handler(request)
        except RestError as exc:
            return exc.response()

    return answer


def routes() -> list[Route]:
    every = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return [
        Route(PREFIX, endpoint(hooks, ("GET", "POST")), methods=every),
        Route(f"{PREFIX}/recent", endpoint(recent, ("GET",)), methods=every),
        Route(f"{PREFIX}/event-types", endpoint(event_types, ("GET",)), methods=every),
        Route(f"{PREFIX}/openapi.json", endpoint(openapi_document, ("GET",)), methods=every),
        Route(f"{PREFIX}/{{hook_id}}", endpoint(one_hook, ("GET", "DELETE")), methods=every),
    ]
