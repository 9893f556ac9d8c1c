"""The OpenAPI 3.1 document of the REST Hooks, served at /rest-hooks/openapi.json. The delivery
body's schema comes from models.payload_schema, like the event catalog's."""

import functools
from importlib.metadata import version
from typing import Any

from models.event_types import EventGroup, EventType
from models.payload_schema import delivery_schemas
from schema.paging import MAX_TAKE

COMPONENTS = "#/components/schemas/"
Doc = dict[str, Any]


def _ref(name: str) -> Doc:
    return {"$ref": COMPONENTS + name}


def _json(schema: Doc, description: str) -> Doc:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> Doc:
    meaning = {
        400: "The request is not valid (`field` names what to fix).",
        401: "No valid token: send `Authorization: Bearer <token>` or `X-API-Key: <token>`.",
        403: "Your role does not allow this.",
        404: "No such hook (or one of another company).",
        409: "The company has as many enabled webhooks as it may (PLAN_LIMIT_REACHED).",
        429: "Rate limited: wait the seconds `Retry-After` says.",
    }
    return {str(s): _json(_ref("Error"), meaning[s]) for s in (401, 429, *statuses)}


HOOK_ID = {
    "name": "hook_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The hook's id (the webhook's id).",
}
COMPANY = {
    "name": "X-Bloo-Company-ID",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The company (id or slug); needed only when you belong to several.",
}

SUBSCRIBE: Doc = {
    "type": "object",
    "required": ["target_url"],
    "additionalProperties": False,
    "description": 'Send "event" or "events", not both.',
    "properties": {
        "target_url": {"type": "string", "format": "uri", "description": "Where to POST events."},
        "event": {"$ref": COMPONENTS + "Event"},
        "events": {"type": "array", "items": _ref("Event"), "minItems": 1},
        "project_ids": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Only these projects (you must be ADMIN of each); omitted: every "
            "project of the company (you must be company OWNER or ADMIN).",
        },
        "name": {"type": ["string", "null"], "description": "A name for people."},
    },
}
HOOK: Doc = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "target_url": {"type": "string"},
        "events": {"type": "array", "items": _ref("Event")},
        "project_ids": {"type": "array", "items": {"type": "string"}},
        "name": {"type": ["string", "null"]},
        "enabled": {
            "type": "boolean",
            "description": "False once disabled: by a 410 Gone answer, by its owner, or when a "
            "delivery exhausted its retries.",
        },
        "status": {"enum": ["HEALTHY", "UNHEALTHY"]},
        "disabled_reason": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "target_url", "events", "project_ids", "enabled", "status"],
}
ERROR: Doc = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "As GraphQL's extensions.code: BAD_USER_INPUT, "
                    "UNAUTHENTICATED, FORBIDDEN, WEBHOOK_NOT_FOUND, PLAN_LIMIT_REACHED, "
                    "RATE_LIMITED, …",
                },
                "message": {"type": "string"},
                "field": {"type": "string", "description": "The input at fault, if one is."},
            },
        }
    },
}
EVENT_TYPE: Doc = {
    "type": "object",
    "properties": {
        "event": _ref("Event"),
        "group": {"enum": [g.value for g in EventGroup]},
        "description": {"type": "string"},
        "schema": {"type": "object", "description": "JSON Schema of the delivery body."},
        "sample": _ref("DeliveryBody"),
    },
}


@functools.cache
def openapi() -> Doc:
    """The document (cached: callers must not change it)."""
    created = {"allOf": [_ref("Hook"), {"properties": {"secret": {"type": "string"}}}]}
    limit = {"type": "integer", "minimum": 1, "maximum": MAX_TAKE}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hookline REST Hooks",
            "version": version("hookline"),
            "description": "Subscribe a URL to events and unsubscribe it (resthooks.org), as "
            "Zapier, Make and n8n instant triggers do. A hook is a webhook: GraphQL's "
            "webhook operations see and change the same one. Deliveries are signed POSTs "
            "(see `webhooks`); answer 410 Gone to unsubscribe from the receiving end.",
        },
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": {
            "/rest-hooks": {
                "post": {
                    "summary": "Subscribe: create a hook",
                    "parameters": [COMPANY],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Subscribe")}},
                    },
                    "responses": {
                        "201": _json(created, "The hook, with its signing secret (shown once)."),
                        **_errors(400, 403, 404, 409),
                    },
                },
                "get": {
                    "summary": "List your hooks (company owners and admins: the company's)",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": limit},
                        {"name": "offset", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": _json({"type": "array", "items": _ref("Hook")}, "The hooks."),
                        **_errors(400),
                    },
                },
            },
            "/rest-hooks/{hook_id}": {
                "parameters": [HOOK_ID],
                "get": {
                    "summary": "One hook (never its secret)",
                    "responses": {"200": _json(_ref("Hook"), "The hook."), **_errors(403, 404)},
                },
                "delete": {
                    "summary": "Unsubscribe: delete a hook (204 also when already gone)",
                    "responses": {"204": {"description": "Deleted."}, **_errors(403)},
                },
            },
            "/rest-hooks/recent": {
                "get": {
                    "summary": "Recent events as delivery bodies, newest first (for field "
                    "mapping); a sample when none has happened yet",
                    "parameters": [
                        {
                            "name": "event",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "Event types, comma-separated.",
                        },
                        {"name": "limit", "in": "query", "schema": limit},
                        {
                            "name": "hook_id",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "Only events this hook would receive.",
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {"type": "array", "items": _ref("DeliveryBody")}, "Delivery bodies."
                        ),
                        **_errors(400, 403, 404),
                    },
                },
            },
            "/rest-hooks/event-types": {
                "get": {
                    "summary": "The event catalog: each event type's group, description, "
                    "JSON Schema and sample",
                    "responses": {
                        "200": _json({"type": "array", "items": _ref("EventType")}, "The types.")
                    },
                }
            },
            "/rest-hooks/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1."}},
                }
            },
        },
        "webhooks": {
            "delivery": {
                "post": {
                    "summary": "A signed delivery to a hook's target_url",
                    "description": "Verify `X-Signature` (hex HMAC-SHA256 of the raw body, "
                    "keyed with the whole secret) or the Standard Webhooks headers. "
                    "Deduplicate on the body's `id`. Answer 2xx within 7 s; 410 disables the "
                    "hook; other answers are retried.",
                    "requestBody": {
                        "content": {"application/json": {"schema": _ref("DeliveryBody")}}
                    },
                    "responses": {
                        "200": {"description": "Received."},
                        "410": {"description": "Gone: the hook is disabled at once."},
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "<id>.<secret>"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
            "schemas": {
                "Subscribe": SUBSCRIBE,
                "Hook": HOOK,
                "Error": ERROR,
                "EventType": EVENT_TYPE,
                "Event": {"enum": [e.value for e in EventType]},
                **delivery_schemas(COMPONENTS),
            },
        },
    }
