"""JSON Schemas of delivery bodies, generated from the shapes the payload builders return
(models.shapes), so a schema cannot drift from what is sent: the catalog publishes one per event
type, and a test validates every delivered payload against its event's schema.

Which entity an event's values hold goes by the event's name (ENTITIES); whether a side is null
(creates have no previous value, deletes no current one) by the event's sample, which the same
builders make.
"""

import functools
import types
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

from models import shapes
from models.event_types import DESCRIPTIONS, EventType
from models.samples import sample_values

DIALECT = "https://json-schema.org/draft/2020-12/schema"
Schema = dict[str, Any]

# By name prefix, the most specific first (checklist items are named TODO_CHECKLIST_ITEM_…).
ENTITIES: tuple[tuple[str, type], ...] = (
    ("TODO_CHECKLIST_ITEM_", shapes.ChecklistItemRow),
    ("TODO_CHECKLIST_", shapes.ChecklistRow),
    ("TODO_LIST_", shapes.TodoListRow),
    ("TODO_", shapes.TodoRow),
    ("COMMENT_", shapes.CommentRow),
    ("TAG_", shapes.TagRow),
    ("CUSTOM_FIELD_", shapes.CustomFieldRow),
)

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def entity_of(event: str) -> type:
    """The shape of the entity an event's previousValue and currentValue hold."""
    return next(shape for prefix, shape in ENTITIES if event.startswith(prefix))


@functools.cache
def event_schema(event: str, strict: bool = False) -> Schema:
    """The JSON Schema of a delivery body of `event`. Published schemas let objects carry keys
    beyond those listed (later additions); `strict` forbids them, for tests that prove the
    declared shapes complete. Cached: callers must not change what they get."""
    builder = _Builder(strict)
    body = builder.object(shapes.EventBody)
    properties = body["properties"]
    properties["event"] = {**properties["event"], "const": event}
    entity = builder.schema(entity_of(event))
    for key, sample in zip(("previousValue", "currentValue"), sample_values(event), strict=True):
        described = {"description": properties[key]["description"]}
        properties[key] = {**described, **(entity if sample is not None else {"type": "null"})}
    return {
        "$schema": DIALECT,
        "title": event,
        "description": DESCRIPTIONS[EventType(event)],
        **body,
        "$defs": builder.defs,
    }


def delivery_schemas(ref_base: str) -> dict[str, Schema]:
    """A delivery body of any event ("DeliveryBody", its values any entity) and the shapes it
    refers to, by name, for a document that keeps them at `ref_base` (an OpenAPI file's
    "#/components/schemas/")."""
    builder = _Builder(strict=False, ref_base=ref_base)
    body = builder.object(shapes.EventBody)
    entities = [builder.schema(shape) for _, shape in ENTITIES]
    for key in ("previousValue", "currentValue"):
        described = {"description": body["properties"][key]["description"]}
        body["properties"][key] = {**described, "anyOf": [*entities, {"type": "null"}]}
    return {**builder.defs, "DeliveryBody": body}


class _Builder:
    """Turns shapes into schemas; each TypedDict once, under $defs (or ref_base), referred to by
    name."""

    def __init__(self, strict: bool, ref_base: str = "#/$defs/") -> None:
        self.strict = strict
        self.ref_base = ref_base
        self.defs: dict[str, Schema] = {}

    def schema(self, shape: Any) -> Schema:
        origin, args = get_origin(shape), get_args(shape)
        if origin is Annotated:
            return self._annotated(args[0], args[1:])
        if origin in (NotRequired, Required):
            return self.schema(args[0])
        if origin in (Union, types.UnionType):
            return self._union(args)
        if origin is list:
            return {"type": "array", "items": self.schema(args[0])}
        if origin is Literal:
            return {"enum": list(args)}
        if is_typeddict(shape):
            if shape.__name__ not in self.defs:
                self.defs[shape.__name__] = {}  # taken, while its own keys refer back
                self.defs[shape.__name__] = self.object(shape)
            return {"$ref": self.ref_base + shape.__name__}
        if shape is Any:
            return {}
        return {"type": _SCALARS[shape]}

    def object(self, shape: Any) -> Schema:
        hints = get_type_hints(shape, include_extras=True)
        schema: Schema = {"type": "object"}
        if shape.__doc__:
            schema["description"] = " ".join(shape.__doc__.split())
        schema["properties"] = {key: self.schema(hint) for key, hint in hints.items()}
        schema["required"] = [key for key in hints if key in shape.__required_keys__]
        if self.strict:
            schema["additionalProperties"] = False
        return schema

    def _annotated(self, shape: Any, notes: tuple[Any, ...]) -> Schema:
        schema = dict(self.schema(shape))
        for note in notes:
            if isinstance(note, shapes.Doc):
                schema["description"] = note.text
            elif isinstance(note, shapes.Format):
                schema["format"] = note.name
            elif isinstance(note, shapes.OneOf):
                nullable = "null" in schema.get("type", ())
                schema["enum"] = [*note.values, *([None] if nullable else [])]
        return schema

    def _union(self, members: tuple[Any, ...]) -> Schema:
        parts = [self.schema(m) for m in members]
        if all(set(p) == {"type"} for p in parts):  # scalars: one "type" listing them all
            return {"type": [p["type"] for p in parts]}
        return {"anyOf": parts}
