"""The committed schema.graphql is the SDL the code serves (regenerate with `make schema`)."""

from pathlib import Path

from schema.root import schema

SDL = Path(__file__).parent.parent / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    assert SDL.read_text().strip() == schema.as_str().strip(), (
        "schema.graphql is stale: run `make schema` and commit it"
    )


def test_webhook_event_enum_has_exactly_37_values() -> None:
    enum = schema.get_type_by_name("WebhookEvent")
    assert enum is not None and len(enum.values) == 37
