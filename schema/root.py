"""The root types and the Schema object, assembled from the resolver modules.

This is the one module of schema/ that imports resolvers/: the types above it stay free of I/O,
and everything that executes operations (the app, the bridge, tests) imports `schema` from here.
"""

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from resolvers.checklists import ChecklistMutation, ChecklistQuery
from resolvers.comments import CommentMutation, CommentQuery
from resolvers.custom_fields import CustomFieldMutation, CustomFieldQuery
from resolvers.projects import ProjectMutation, ProjectQuery
from resolvers.subscriptions import Subscription
from resolvers.tags import TagMutation, TagQuery
from resolvers.todo_links import TodoLinkMutation
from resolvers.todo_lists import TodoListMutation, TodoListQuery
from resolvers.todos import TodoMutation, TodoQuery
from resolvers.webhook_ops import WebhookOpsMutation, WebhookOpsQuery
from resolvers.webhooks import WebhookMutation, WebhookQuery
from schema.errors import ApiError, MaskInternalErrors

MAX_DEPTH = 10
MAX_TOKENS = 2000
MAX_ALIASES = 30

Query = merge_types(
    "Query",
    (
        ProjectQuery,
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
Mutation = merge_types(
    "Mutation",
    (
        ProjectMutation,
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


class Schema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None):  # type: ignore[no-untyped-def]
        """Log only unexpected errors; ApiErrors are answers, not faults."""
        unexpected = [e for e in errors if not isinstance(e.original_error, ApiError)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


schema = Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    config=StrawberryConfig(sort_schema=True),
    extensions=[
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        MaskInternalErrors,
    ],
)
