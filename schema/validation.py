"""Parsing and validation of documents and variables, each refusal with its code.

One extension replaces Strawberry's ParserCache, MaxTokensLimiter, ValidationCache and
AddValidationRules: it parses and validates each document once, with the abuse limits and the
string rule added, and codes every validation error where it is made (a value that does not fit
its type BAD_USER_INPUT, like the same value sent as a variable; anything else
GRAPHQL_VALIDATION_FAILED). Strings the databases cannot store are refused here, inline or as
variables, before any resolver sees them.
"""

from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    ObjectFieldNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    ValuesOfCorrectTypeRule,
    VariableDefinitionNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

from models.text import unstorable
from schema.cost import QueryCost
from schema.errors import BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED, BadUserInput, with_code

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2000
# Clients send the same few documents again and again: parse and validate each once.
CACHE_SIZE = 1000

Rules = tuple[type[ValidationRule], ...]


class _ArgumentPath(ValidationRule):
    """Tracks where in the document a value sits: "input.title", "$variable"."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.path: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.path.append(node.name.value)

    def leave_argument(self, *_: Any) -> None:
        self.path.pop()

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> None:
        self.path.append("$" + node.variable.name.value)

    def leave_variable_definition(self, *_: Any) -> None:
        self.path.pop()


class BadValues(_ArgumentPath, ValuesOfCorrectTypeRule):
    """ValuesOfCorrectTypeRule whose errors are BAD_USER_INPUT naming the argument."""

    def report_error(self, error: GraphQLError) -> None:
        where = {"field": self.path[0]} if self.path else {}
        super().report_error(with_code(error, BAD_USER_INPUT, **where))


class StorableStrings(_ArgumentPath):
    """Refuses string literals the databases cannot store (see models.text)."""

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        self.path.append(node.name.value)

    def leave_object_field(self, *_: Any) -> None:
        self.path.pop()

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        problem = unstorable(node.value)
        if problem:
            where = ".".join(self.path) or "a string"
            self.report_error(
                GraphQLError(
                    f"{where} must not contain {problem}",
                    node,
                    extensions={"code": BAD_USER_INPUT, "field": where},
                )
            )


# Strawberry's QueryDepthLimiter and MaxAliasesLimiter build a new rule class per request, which
# would make every validation a cache miss; build the rules once and share them.
LIMIT_RULES: Rules = (
    depth_rule(MAX_DEPTH, None),
    aliases_rule(MAX_ALIASES),
    StorableStrings,
    QueryCost,
)


@lru_cache(maxsize=16)
def _our_rules(rules: Rules) -> Rules:
    swapped = tuple(BadValues if rule is ValuesOfCorrectTypeRule else rule for rule in rules)
    return swapped + LIMIT_RULES


@lru_cache(maxsize=CACHE_SIZE)
def _parse(query: str) -> DocumentNode:
    return parse(query, max_tokens=MAX_TOKENS)


@lru_cache(maxsize=CACHE_SIZE)
def _validate(
    schema: GraphQLSchema, document: DocumentNode, rules: Rules
) -> tuple[GraphQLError, ...]:
    return tuple(
        error
        if (error.extensions or {}).get("code")
        else with_code(error, GRAPHQL_VALIDATION_FAILED)
        for error in validate_document(schema, document, rules)
    )


def unstorable_variable(variables: dict[str, Any] | None) -> GraphQLError | None:
    """An error for the first string (value or key) in the variables that the databases
    cannot store, if any."""
    stack: list[tuple[str, object]] = [(f"${k}", v) for k, v in (variables or {}).items()]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            problem = unstorable(value)
            if problem:
                return BadUserInput(f"Variable {where} must not contain {problem}", field=where)
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = unstorable(str(key))
                if problem:
                    return BadUserInput(f"A key in {where} must not contain {problem}", field=where)
                stack.append((f"{where}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return None


class InputValidation(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        # On a syntax error Strawberry parses again itself, and reports the error as the
        # operation's result (GRAPHQL_PARSE_FAILED, see schema.errors).
        if context.graphql_document is None and context.query:
            with suppress(GraphQLSyntaxError):
                context.graphql_document = _parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        rules = _our_rules(tuple(context.validation_rules))
        # `_schema` is the graphql-core schema; Strawberry's ValidationCache reads it the same way.
        errors = list(_validate(context.schema._schema, context.graphql_document, rules))
        # Refused with the document's own errors, so that on every transport it is a request
        # error: nothing runs, no subscription starts.
        variable = unstorable_variable(context.variables)
        context.pre_execution_errors = [*errors, variable] if variable else errors
        yield
