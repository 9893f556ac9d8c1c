"""Strategies for fuzzing the GraphQL API with hypothesis-graphql (used by tests/test_fuzz.py).

Documents come from the schema itself (valid ones, and ones with one violation each). Before a
document is sent, string arguments named like ids may be replaced by ids of real rows, so the
resolvers get past their look-ups; some strings become nasty ones (NUL, lone surrogates, very
long); and the root field's arguments may travel as variables instead of inline.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone
from typing import Any

import graphql
from graphql import (
    ArgumentNode,
    DocumentNode,
    ListValueNode,
    NameNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
)
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

Draw = Callable[[st.SearchStrategy[Any]], Any]

# Argument and input field names → the kind of row their ids name.
ID_NAMES = {
    "todoId": "todo",
    "categoryId": "todo",
    "todoListId": "todoList",
    "todoListIds": "todoList",
    "projectId": "project",
    "projectIds": "project",
    "companyId": "company",
    "checklistId": "checklist",
    "checklistItemId": "checklistItem",
    "customFieldId": "customField",
    "customFieldIds": "customField",
    "customFieldOptionId": "customFieldOption",
    "tagId": "tag",
    "tagIds": "tag",
    "assigneeIds": "user",
    "userId": "user",
    "webhookId": "webhook",
    "deliveryId": "delivery",
}
VERBS = ("edit", "delete", "remove", "revoke", "update", "set")

NASTY = [
    "\x00",
    "a\x00b",
    "a\ud800b",
    "\udfff",
    "x" * 33,
    "x" * 300,
    "y" * 100_001,
    "ﷺ𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    " ",
    "<script>",
    "'; DROP TABLE todo; --",
    "0001-01-01T00:00:00+14:00",
    "https://example.com/hook",
    "http://127.0.0.1:1/",
]


def _json_value() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=10,
    )


def value_node(value: Any) -> ValueNode:
    """A literal for any JSON value (graphql's ast_from_value needs a type; JSON has none)."""
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if isinstance(value, float):
        return graphql.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, list):
        return ListValueNode(values=tuple(value_node(v) for v in value))
    return ObjectValueNode(
        fields=tuple(
            ObjectFieldNode(name=NameNode(value=k), value=value_node(v))
            for k, v in value.items()
            if k.isidentifier() and k.isascii()
        )
    )


_offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
DATETIMES = st.one_of(
    st.datetimes(timezones=st.just(UTC) | _offsets).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()),  # no offset: read as UTC
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2030-01-01"]),
    st.text(max_size=30),
).map(lambda text: StringValueNode(value=text))

CUSTOM_SCALARS = {"DateTime": DATETIMES, "JSON": _json_value().map(value_node)}


def operations(schema: graphql.GraphQLSchema) -> dict[str, st.SearchStrategy[DocumentNode]]:
    """For every Query and Mutation field, documents of that one root field: valid ones and,
    for fields with arguments, ones with one violation of the schema."""
    found: dict[str, st.SearchStrategy[DocumentNode]] = {}
    for make, root in ((queries, schema.query_type), (mutations, schema.mutation_type)):
        assert root is not None
        for name, definition in sorted(root.fields.items()):
            # Three valid documents to one invalid one: most should reach the resolvers.
            modes = [Mode.POSITIVE] * 3 + [Mode.NEGATIVE] * bool(definition.args)
            found[name] = st.one_of(
                [
                    make(
                        schema,
                        fields=[name],
                        custom_scalars=CUSTOM_SCALARS,
                        print_ast=lambda d: d,
                        mode=mode,
                    )
                    for mode in modes
                ]
            )
    return found


def root_field(document: DocumentNode) -> graphql.FieldNode:
    [operation] = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    [selection] = operation.selection_set.selections
    assert isinstance(selection, graphql.FieldNode)
    return selection


def kind_of(name: str, root: str) -> str | None:
    if name in ID_NAMES:
        return ID_NAMES[name]
    if name == "id":
        for verb in VERBS:
            if root.startswith(verb) and len(root) > len(verb):
                rest = root[len(verb) :]
                return rest[0].lower() + rest[1:]
        return root
    return None


@dataclass
class Rewriter:
    """Replaces string literals: by real ids where the name says an id, or by nasty strings."""

    draw: Draw
    ids: Mapping[str, list[str]]
    root: str
    replaced: int = field(default=0)

    def value(self, name: str, node: ValueNode) -> ValueNode:
        if isinstance(node, ListValueNode):
            return ListValueNode(values=tuple(self.value(name, v) for v in node.values))
        if isinstance(node, ObjectValueNode):
            return ObjectValueNode(
                fields=tuple(
                    ObjectFieldNode(name=f.name, value=self.value(f.name.value, f.value))
                    for f in node.fields
                )
            )
        if not isinstance(node, StringValueNode):
            return node
        kind = kind_of(name, self.root)
        pool = self.ids.get(kind or "", []) or [i for ids in self.ids.values() for i in ids]
        if kind is not None and pool and self.draw(st.integers(0, 9)) < 8:
            self.replaced += 1
            return StringValueNode(value=self.draw(st.sampled_from(pool)))
        if self.draw(st.integers(0, 9)) == 5:  # one in ten, away from hypothesis's favourites
            return StringValueNode(value=self.draw(st.sampled_from(NASTY)))
        return node


def with_real_values(
    document: DocumentNode, draw: Draw, ids: Mapping[str, list[str]]
) -> tuple[DocumentNode, int]:
    """The document with its root field's arguments rewritten (see Rewriter), and how many
    real ids it now holds."""
    field_node = root_field(document)
    rewriter = Rewriter(draw, ids, field_node.name.value)
    arguments = tuple(
        ArgumentNode(name=a.name, value=rewriter.value(a.name.value, a.value))
        for a in field_node.arguments
    )
    return _replace_root(document, field_node, arguments, ()), rewriter.replaced


def as_variables(
    document: DocumentNode, schema: graphql.GraphQLSchema
) -> tuple[DocumentNode, dict[str, Any]]:
    """Move the root field's arguments into variables of the arguments' declared types."""
    [operation] = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    root_type = schema.query_type if operation.operation.value == "query" else schema.mutation_type
    field_node = root_field(document)
    assert root_type is not None
    declared = root_type.fields[field_node.name.value].args
    arguments, definitions, variables = [], [], {}
    for index, argument in enumerate(field_node.arguments):
        definition = declared.get(argument.name.value)
        if definition is None:  # an unknown argument (a negative example): keep it inline
            arguments.append(argument)
            continue
        name = f"v{index}"
        variables[name] = graphql.value_from_ast_untyped(argument.value)
        definitions.append(
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=name)),
                type=graphql.parse_type(str(definition.type)),
            )
        )
        arguments.append(
            ArgumentNode(name=argument.name, value=VariableNode(name=NameNode(value=name)))
        )
    return _replace_root(document, field_node, tuple(arguments), tuple(definitions)), variables


def _replace_root(
    document: DocumentNode,
    field_node: graphql.FieldNode,
    arguments: tuple[ArgumentNode, ...],
    definitions: tuple[VariableDefinitionNode, ...],
) -> DocumentNode:
    [operation] = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    new_field = graphql.FieldNode(
        alias=field_node.alias,
        name=field_node.name,
        arguments=arguments,
        directives=field_node.directives,
        selection_set=field_node.selection_set,
    )
    new_operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=(*(operation.variable_definitions or ()), *definitions),
        directives=operation.directives,
        selection_set=graphql.SelectionSetNode(selections=(new_field,)),
    )
    return DocumentNode(definitions=(new_operation,))


def request_body(document: DocumentNode, variables: dict[str, Any]) -> bytes:
    """JSON with every non-ASCII character escaped, so a lone surrogate travels as \\ud800."""
    return json.dumps({"query": graphql.print_ast(document), "variables": variables}).encode()
