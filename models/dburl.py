"""Database URLs: which backend they name, and the SQLite file, made absolute.

A relative SQLite path is relative to the folder a command starts in, so `hookline bootstrap`
run from another folder would silently make a second database; every process resolves it
once, at start-up, and says which file it uses.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SQLITE = "sqlite://"
POSTGRES_SCHEMES = ("postgres", "postgresql", "asyncpg")
MEMORY = ":memory:"


class DatabaseUrlError(ValueError):
    """A database URL Hookline cannot use; the message is one line for the operator."""


def is_postgres(url: str) -> bool:
    return url.split("://", 1)[0] in POSTGRES_SCHEMES


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names (None for an in-memory database or another backend)."""
    if not url.startswith(SQLITE):
        return None
    path = url[len(SQLITE) :].split("?", 1)[0]
    return None if path in ("", MEMORY) else Path(path)


def checked(url: str) -> str:
    """The URL if Hookline supports its backend, with a relative SQLite path made absolute."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in ("sqlite", *POSTGRES_SCHEMES):
        raise DatabaseUrlError(
            f"unsupported database URL {without_password(url)!r}: use sqlite://PATH "
            "or postgres://USER@HOST:PORT/DATABASE"
        )
    path = sqlite_path(url)
    if path is None or path.is_absolute():
        return url
    query = url.partition("?")[2]
    return SQLITE + os.path.abspath(path) + (f"?{query}" if query else "")


def without_password(url: str) -> str:
    """The URL with any password dropped (the user name stays), safe to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{parts.username}@{host}" if parts.username else host
    return urlunsplit(parts._replace(netloc=netloc))


def describe(url: str) -> str:
    """How start-up and the CLI name a database: its absolute file, or its URL sans password."""
    path = sqlite_path(url)
    if path is not None:
        return f"SQLite {path}"
    if url.startswith(SQLITE):
        return "SQLite in memory"
    return f"PostgreSQL {without_password(url).split('?', 1)[0]}"
