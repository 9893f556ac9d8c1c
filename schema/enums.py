"""GraphQL enums, built from the models' enums so the two can never disagree."""

import dataclasses
from collections.abc import Mapping
from enum import EnumMeta, StrEnum
from typing import Any

import strawberry

from models.accounts import CompanyLevel, ProjectLevel
from models.event_types import DESCRIPTIONS as EVENT_DESCRIPTIONS
from models.event_types import EventType
from models.tracker import CustomFieldType as _CustomFieldType
from models.webhooks import DeliveryStatus as _DeliveryStatus
from models.webhooks import WebhookStatus


def described(cls: EnumMeta, name: str, description: str, values: Mapping[str, str]) -> Any:
    """`strawberry.enum(cls)` with a description on every value.

    The models' enums stay free of GraphQL, so the value descriptions are set here, on the
    definition Strawberry builds; every value must have one, and no other name may appear.
    """
    enum = strawberry.enum(cls, name=name, description=description)
    definition = enum.__strawberry_definition__
    names = {value.name for value in definition.values}
    if names != set(values):
        raise ValueError(f"{name}: describe exactly {sorted(names)}, not {sorted(values)}")
    definition.values = [
        dataclasses.replace(value, description=values[value.name]) for value in definition.values
    ]
    return enum


WebhookEvent = described(
    EventType,
    "WebhookEvent",
    "What happened to a record. Webhooks and subscriptions choose the events they receive; "
    "an empty choice means all of them. (WEBHOOK_HEALTH_CHECK is sent, never chosen.)",
    {event.name: text for event, text in EVENT_DESCRIPTIONS.items()},
)
UserAccessLevel = described(
    ProjectLevel,
    "UserAccessLevel",
    "A member's role in a project (Blue's names). Company owners and admins act as ADMIN in "
    "every project of their company.",
    {
        "ADMIN": "Everything, including members and webhooks scoped to the project.",
        "MEMBER": "Reads and changes records.",
        "COMMENT_ONLY": "Reads records and comments on them.",
        "VIEW_ONLY": "Reads records.",
    },
)
CompanyAccessLevel = described(
    CompanyLevel,
    "CompanyAccessLevel",
    "A member's role in a company.",
    {
        "OWNER": "Created the company; administers it and every project in it.",
        "ADMIN": "Administers the company and every project in it.",
        "MEMBER": "Sees the projects they are a member of.",
    },
)
CustomFieldType = described(
    _CustomFieldType,
    "CustomFieldType",
    "The kind of value a custom field holds (Blue's values).",
    {
        "TEXT_SINGLE": "One line of text (`text`).",
        "TEXT_MULTI": "Several lines of text (`text`).",
        "NUMBER": "A number (`number`).",
        "CHECKBOX": "Checked or not (`checked`).",
        "SELECT_SINGLE": "One of the field's options (`customFieldOptionId`).",
        "SELECT_MULTI": "Several of the field's options.",
        "DATE": "A date (`text`, ISO 8601).",
        "URL": "A web address (`text`).",
        "EMAIL": "An email address (`text`).",
        "PHONE": "A phone number (`text`).",
        "RATING": "A rating (`number`).",
        "CURRENCY": "An amount of money (`number`).",
        "PERCENT": "A percentage (`number`).",
    },
)
WebhookStatusType = described(
    WebhookStatus,
    "WebhookStatusType",
    "How a webhook's endpoint has been answering.",
    {
        "HEALTHY": "Its last deliveries succeeded.",
        "UNHEALTHY": "Deliveries fail again and again, or the webhook was disabled.",
    },
)
DeliveryStatus = described(
    _DeliveryStatus,
    "DeliveryStatus",
    "Where a delivery stands.",
    {
        "PENDING": "Not yet delivered; an attempt is due or scheduled.",
        "SUCCEEDED": "An attempt got a 2xx answer.",
        "FAILED": "Every scheduled attempt failed, or the webhook was disabled or deleted.",
    },
)


class _CommentCategory(StrEnum):
    # A StrEnum, as the models' enums are: graphql-core finds a plain Enum member in none of
    # its values (the raw strings), and failed every query of Comment.category.
    TODO = "TODO"


CommentCategory = described(
    _CommentCategory,
    "CommentCategory",
    "What a comment is attached to.",
    {"TODO": "A todo (`categoryId` is its id)."},
)
