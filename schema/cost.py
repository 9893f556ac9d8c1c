"""The worst case of a query, estimated from its text before it runs, against a budget.

The estimate counts the objects an answer could hold: every object field counts once for each
item its enclosing lists could hold, and a field of long text or JSON counts LARGE_FIELD. A
list with `take` holds that many (the literal given, its default when omitted, MAX_TAKE when
it comes from a variable); a pager such as `webhooks(take)` hands its `take` to its `items`;
any other list of objects is assumed to hold NESTED_LIST. Aliases repeat a field and fragments
are counted where they are spread, so 30 aliases of `comments` cost 30 pages. Introspection is
free: its size is the schema's.
"""

from collections.abc import Iterable

from graphql import (
    ArgumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.language import Visitor
from graphql.pyutils import Undefined

from schema.errors import ApiError
from schema.paging import MAX_TAKE

MAX_COST = 1500
NESTED_LIST = 10
CODE = "MAX_COST_EXCEEDED"
# Fields that may hold long text (up to 100,000 characters each) or any JSON count as this
# many objects each: 100 comments with html and text weigh more than 100 tags. (A delivery
# attempt's responseBody is stored cut to 4 KiB: an object's worth, counted as one.)
LARGE_FIELD = 4
LARGE_FIELDS = frozenset(
    {("Comment", "html"), ("Comment", "text"), ("Todo", "html"), ("Todo", "text")}
)


class CostExceeded(ApiError):
    """A client's mistake like any ApiError: answered, not logged as a fault."""

    def __init__(self, estimate: int, node: OperationDefinitionNode) -> None:
        GraphQLError.__init__(
            self,
            f"This query could return {estimate} objects, over the budget of {MAX_COST} per "
            "operation: ask for smaller pages (take) or fewer aliases",
            node,
            extensions={"code": CODE, "budget": MAX_COST, "estimate": estimate},
        )


class QueryCost(ValidationRule):
    """Refuses an operation whose estimate exceeds MAX_COST, naming the budget and the estimate
    (extensions.budget, extensions.estimate)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> object:
        root = self.context.schema.get_root_type(node.operation)
        if root is not None:
            estimate = self._cost(node.selection_set, root, 1, None, frozenset())
            if estimate > MAX_COST:
                self.report_error(CostExceeded(estimate, node))
        return Visitor.SKIP

    def _cost(
        self,
        selections: SelectionSetNode,
        parent: GraphQLNamedType,
        times: int,
        page: int | None,
        spread: frozenset[str],
    ) -> int:
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, times, page, spread)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.context.schema.get_type(condition.name.value) if condition else parent
                total += self._cost(selection.selection_set, inner or parent, times, page, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in spread:  # other rules report these
                    continue
                inner = self.context.schema.get_type(fragment.type_condition.name.value)
                total += self._cost(
                    fragment.selection_set, inner or parent, times, page, spread | {name}
                )
        return total

    def _field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        times: int,
        page: int | None,
        spread: frozenset[str],
    ) -> int:
        if node.name.value.startswith("__"):
            return 0
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:  # unknown fields are other rules' to report
            return 0
        field_type = definition.type
        if not is_composite_type(get_named_type(field_type)):
            large = (parent.name, node.name.value) in LARGE_FIELDS
            return times * LARGE_FIELD if large or get_named_type(field_type).name == "JSON" else 0
        if node.selection_set is None:
            return 0
        listed = is_list_type(get_nullable_type(field_type))
        take = _take(definition, node.arguments or ())
        count = (take if take is not None else page or NESTED_LIST) if listed else 1
        inner_page = take if take is not None and not listed else None
        items = times * count
        inner = get_named_type(field_type)
        return items + self._cost(node.selection_set, inner, items, inner_page, spread)


def _take(definition: GraphQLField, arguments: Iterable[ArgumentNode]) -> int | None:
    """How many items a field with `take` may return: the literal, the default, or the most."""
    argument = definition.args.get("take")
    if argument is None:
        return None
    for given in arguments:
        if given.name.value == "take":
            value = given.value
            if isinstance(value, IntValueNode):
                return max(0, min(int(value.value), MAX_TAKE))
            return MAX_TAKE  # a variable: any value up to the most
    default = argument.default_value
    if default is Undefined or not isinstance(default, int):
        return MAX_TAKE
    return min(default, MAX_TAKE)
