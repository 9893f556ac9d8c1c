"""A request's JSON document, parsed by one rule for every endpoint that takes one."""

import json
from typing import Any


def parse(data: str | bytes) -> Any:
    """The document in `data` (UTF-8 when bytes). ValueError when it is not one, including
    nesting deeper than the parser recurses: that is the client's input, never a 500."""
    try:
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
