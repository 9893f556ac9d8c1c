"""The root types and the Schema object, assembled from the resolver modules.

This is the one module of schema/ that imports resolvers/: the types above it stay free of I/O,
and everything that executes operations (the app, the bridge, tests) imports `schema` from here.
"""

import strawberry
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from resolvers.authz import Authenticated, FreshRoles
from resolvers.checklists import ChecklistMutation, ChecklistQuery
from resolvers.comments import CommentMutation, CommentQuery
from resolvers.custom_fields import CustomFieldMutation, CustomFieldQuery
from resolvers.members import MemberMutation
from resolvers.projects import ProjectMutation, ProjectQuery
from resolvers.subscriptions import StreamExecutor, Subscription
from resolvers.tags import TagMutation, TagQuery
from resolvers.todo_links import TodoLinkMutation
from resolvers.todo_lists import TodoListMutation, TodoListQuery
from resolvers.todos import TodoMutation, TodoQuery
from resolvers.tokens import TokenMutation, TokenQuery
from resolvers.webhook_ops import WebhookOpsMutation, WebhookOpsQuery
from resolvers.webhooks import WebhookMutation, WebhookQuery
from schema.errors import ApiError, MaskInternalErrors

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 30


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
    ),
)


def authenticated(*roots: type) -> None:
    """Every root field authenticates its caller before it runs (authz.Authenticated): a new
    field cannot forget to, and an anonymous caller learns nothing about which ids exist."""
    for root in roots:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if not any(isinstance(e, Authenticated) for e in field.extensions):
                field.extensions.append(Authenticated())


authenticated(Query, Mutation, Subscription)


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None):  # type: ignore[no-untyped-def]
        """Log only unexpected errors; ApiErrors are answers, not faults."""
        unexpected = [
            e
            for e in errors
            if not isinstance(e, ApiError) and not isinstance(e.original_error, ApiError)
        ]
        if unexpected:
            super().process_errors(unexpected, execution_context)


# Strawberry's QueryDepthLimiter and MaxAliasesLimiter build a new rule class per request, which
# makes every validation a ValidationCache miss; build the rules once and share them.
LIMIT_RULES = [depth_rule(MAX_DEPTH, None), aliases_rule(MAX_ALIASES)]


class AbuseLimits(AddValidationRules):
    def __init__(self) -> None:
        super().__init__(LIMIT_RULES)


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(sort_schema=True),
    # Shares each streamed event's result among identical subscriptions, and stops a per-event
    # leak of graphql-core 3.3 in long-lived subscriptions (see StreamExecutor).
    execution_context_class=StreamExecutor,
    extensions=[
        FreshRoles,
        AbuseLimits,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        MaskInternalErrors,
        # Clients send the same few documents again and again: parse and validate each once.
        lambda: ParserCache(maxsize=1000),
        lambda: ValidationCache(maxsize=1000),
    ],
)
