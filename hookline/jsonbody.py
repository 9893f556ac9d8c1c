"""JSON bodies, one rule each way: a request's document parsed, an answer rendered."""

import json
from typing import Any

from starlette.responses import JSONResponse


def parse(data: str | bytes) -> Any:
    """The document in `data` (UTF-8 when bytes). ValueError when it is not one, including
    nesting deeper than the parser recurses: that is the client's input, never a 500."""
    try:
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


class Answer(JSONResponse):
    """Starlette's JSONResponse, except that text no UTF-8 can carry (a lone surrogate a client
    sent, echoed in a refusal) is written \\u-escaped instead of failing the answer with a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")
