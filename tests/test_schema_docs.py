"""GraphiQL's docs pane is useful: every type, field, argument and enum value is described."""

from collections.abc import Iterator
from typing import Any

from graphql import get_introspection_query

from schema.root import schema


def undescribed(introspection: dict[str, Any]) -> Iterator[str]:
    """Coordinates (Type, Type.field, Type.field(arg), Enum.VALUE) that have no description."""
    for kind in introspection["__schema"]["types"]:
        name = kind["name"]
        if name.startswith("__"):  # GraphQL's own introspection types
            continue
        if not (kind["description"] or "").strip():
            yield name
        for field in kind["fields"] or []:
            if not (field["description"] or "").strip():
                yield f"{name}.{field['name']}"
            for argument in field["args"]:
                if not (argument["description"] or "").strip():
                    yield f"{name}.{field['name']}({argument['name']})"
        for field in kind["inputFields"] or []:
            if not (field["description"] or "").strip():
                yield f"{name}.{field['name']}"
        for value in kind["enumValues"] or []:
            if not (value["description"] or "").strip():
                yield f"{name}.{value['name']}"


def test_every_type_field_argument_and_enum_value_has_a_description() -> None:
    result = schema.execute_sync(
        get_introspection_query(descriptions=True, input_value_deprecation=True)
    )
    assert result.errors is None, result.errors
    missing = list(undescribed(result.data))
    assert missing == [], (
        f"{len(missing)} schema elements have no description (add strawberry "
        f"description=… next to them, then `make schema`): {', '.join(missing)}"
    )


def test_the_walk_finds_what_is_missing() -> None:
    bare = {
        "__schema": {
            "types": [
                {
                    "name": "Thing",
                    "description": "",
                    "fields": [
                        {
                            "name": "f",
                            "description": "ok",
                            "args": [{"name": "a", "description": None}],
                        }
                    ],
                    "inputFields": None,
                    "enumValues": None,
                },
                {
                    "name": "Kind",
                    "description": "ok",
                    "fields": None,
                    "inputFields": None,
                    "enumValues": [{"name": "V", "description": " "}],
                },
            ]
        }
    }
    assert list(undescribed(bare)) == ["Thing", "Thing.f(a)", "Kind.V"]
