"""GraphQL enums, built from the models' enums so the two can never disagree."""

from enum import StrEnum

import strawberry

from models.accounts import CompanyLevel, ProjectLevel
from models.event_types import EventType
from models.tracker import CustomFieldType as _CustomFieldType
from models.webhooks import DeliveryStatus as _DeliveryStatus
from models.webhooks import WebhookStatus

WebhookEvent = strawberry.enum(EventType, name="WebhookEvent")
UserAccessLevel = strawberry.enum(ProjectLevel, name="UserAccessLevel")
CompanyAccessLevel = strawberry.enum(CompanyLevel, name="CompanyAccessLevel")
CustomFieldType = strawberry.enum(_CustomFieldType, name="CustomFieldType")
WebhookStatusType = strawberry.enum(WebhookStatus, name="WebhookStatusType")
DeliveryStatus = strawberry.enum(_DeliveryStatus, name="DeliveryStatus")


@strawberry.enum
class CommentCategory(StrEnum):
    # A StrEnum, as the models' enums are: graphql-core finds a plain Enum member in none of
    # its values (the raw strings), and failed every query of Comment.category.
    TODO = "TODO"
