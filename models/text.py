"""Which strings both databases can store.

PostgreSQL refuses NUL in text, and a lone surrogate (JSON allows "\\ud800") is not valid UTF-8 for
either backend. Input is checked against this at the GraphQL edge and in authentication, so such
a string is a client's mistake, never a database error.
"""


def unstorable(value: str) -> str | None:
    """What makes `value` unstorable ("a NUL character", "a lone surrogate"), or None."""
    if "\x00" in value:
        return "a NUL character"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a lone surrogate (not valid UTF-8)"
    return None
