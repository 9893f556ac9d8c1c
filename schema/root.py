"""The root types and the Schema object, assembled from the resolver modules.

This is the one module of schema/ that imports resolvers/: the types above it stay free of I/O,
and everything that executes operations (the app, the bridge, tests) imports `schema` from here.
"""

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from resolvers.authz import Authenticated, FreshIdentity, FreshRoles
from resolvers.checklists import ChecklistMutation, ChecklistQuery
from resolvers.comments import CommentMutation, CommentQuery
from resolvers.custom_fields import CustomFieldMutation, CustomFieldQuery
from resolvers.delivery_log import DeliveryLogQuery
from resolvers.members import MemberMutation
from resolvers.portal import PortalMutation, PortalQuery
from resolvers.portal_gate import gate
from resolvers.projects import ProjectMutation, ProjectQuery
from resolvers.quotas import OperationRate
from resolvers.stats import StatsQuery
from resolvers.subscriptions import StreamExecutor, Subscription
from resolvers.tags import TagMutation, TagQuery
from resolvers.todo_links import TodoLinkMutation
from resolvers.todo_lists import TodoListMutation, TodoListQuery
from resolvers.todos import TodoMutation, TodoQuery
from resolvers.tokens import TokenMutation, TokenQuery
from resolvers.webhook_ops import WebhookOpsMutation, WebhookOpsQuery
from resolvers.webhooks import WebhookMutation, WebhookQuery
from schema.errors import ErrorCodes, log_client_errors
from schema.scalars import SCALAR_OVERRIDES
from schema.validation import InputValidation


def merged(name: str, description: str, types: tuple[type, ...]) -> type:
    """merge_types, plus the description it has no parameter for."""
    root = merge_types(name, types)
    root.__strawberry_definition__.description = description  # type: ignore[attr-defined]
    return root


Query = merged(
    "Query",
    "Reads. Every field needs a token (`Authorization: Bearer <tokenId>.<tokenSecret>`) and "
    "shows only what the caller may see.",
    (
        ProjectQuery,
        TokenQuery,
        TodoListQuery,
        TodoQuery,
        CommentQuery,
        TagQuery,
        CustomFieldQuery,
        ChecklistQuery,
        WebhookQuery,
        WebhookOpsQuery,
        DeliveryLogQuery,
        StatsQuery,
        PortalQuery,
    ),
)
Mutation = merged(
    "Mutation",
    "Changes. Each change to a record and the events it causes are committed together: an "
    "event exists if and only if its change was committed.",
    (
        ProjectMutation,
        MemberMutation,
        TokenMutation,
        TodoListMutation,
        TodoMutation,
        TodoLinkMutation,
        TagMutation,
        CustomFieldMutation,
        ChecklistMutation,
        CommentMutation,
        WebhookMutation,
        WebhookOpsMutation,
        PortalMutation,
    ),
)


def authenticated(*roots: type) -> None:
    """Every root field refuses anonymous callers before it runs (authz.Authenticated): a new
    field cannot forget to, and an anonymous caller learns nothing about which ids exist."""
    for root in roots:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if not any(isinstance(e, Authenticated) for e in field.extensions):
                field.extensions.insert(0, Authenticated())  # outermost: before the gate


gate(Query, Mutation, Subscription)
authenticated(Query, Mutation, Subscription)


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None):  # type: ignore[no-untyped-def]
        """Log only our faults with their traceback; a client's mistakes are not faults."""
        faults = log_client_errors(errors)
        if faults:
            super().process_errors(faults, execution_context)

    def get_extensions(self, sync: bool = False) -> list[SchemaExtension]:
        """Rates and authentication are awaited, so execute_sync (in-process callers only:
        tools, tests, with a fixed principal) runs without them; every client request is
        executed asynchronously, authenticated and counted."""
        extensions = super().get_extensions(sync)
        awaited = (OperationRate, FreshIdentity)
        return [e for e in extensions if not (sync and isinstance(e, awaited))]


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(sort_schema=True),
    # Shares each streamed event's result among identical subscriptions, and stops a per-event
    # leak of graphql-core 3.3 in long-lived subscriptions (see StreamExecutor).
    execution_context_class=StreamExecutor,
    scalar_overrides=SCALAR_OVERRIDES,
    # FreshIdentity first: the operation is counted (OperationRate) by who sends it now.
    # OperationRate after InputValidation, whose validation errors it replaces when refusing.
    extensions=[FreshIdentity, FreshRoles, ErrorCodes, InputValidation, OperationRate],
)
