"""Database set-up: the Tortoise configuration, start-up and schema migrations."""

import contextlib
import os
import socket
from typing import Any

import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate as apply_migrations

from models.dburl import describe, is_postgres, sqlite_path

MODEL_MODULES = [
    "models.accounts",
    "models.tracker",
    "events.log",
    "models.webhooks",
    "models.portal",
]


def tortoise_config(database_url: str, pool_size: int = 10) -> dict[str, Any]:
    url = database_url
    if url.startswith(("postgres://", "postgresql://", "asyncpg://")) and "maxsize=" not in url:
        url += ("&" if "?" in url else "?") + f"maxsize={pool_size}"
    if url.startswith("sqlite://") and "?" not in url:
        # WAL with synchronous=NORMAL: a commit survives a crash of the process (kill -9), and
        # skips an fsync per transaction; only a power cut may lose the newest commits.
        url += "?busy_timeout=10000&synchronous=NORMAL"
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def create_private(database_url: str) -> None:
    """Create a new SQLite database file readable and writable by its owner only (0600): it
    holds webhook secrets and token hashes. SQLite gives its -wal and -shm files the same
    mode. An existing file is left as its owner set it."""
    path = sqlite_path(database_url)
    if path is None or path.exists():
        return
    # Made first by another process, or not makeable (a missing folder): opening the database
    # then reports it (see preflight).
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


async def init(database_url: str, pool_size: int = 10) -> None:
    create_private(database_url)
    await Tortoise.init(
        config=tortoise_config(database_url, pool_size), _enable_global_fallback=True
    )


async def close() -> None:
    await Tortoise.close_connections()
    # Tortoise caches compiled INSERTs by connection *name*; a later init of "default" on
    # another backend (tests run SQLite, then PostgreSQL) must not reuse SQLite's placeholders.
    EXECUTOR_CACHE.clear()


def dialect() -> str:
    return Tortoise.get_connection("default").capabilities.dialect


# For `tortoise -c models.db.TORTOISE_ORM makemigrations` (see README, Development).
TORTOISE_ORM = tortoise_config("sqlite://:memory:")

# Any constant shared by all processes; "migr" in ASCII.
MIGRATION_LOCK = 0x6D696772


async def migrate(database_url: str) -> None:
    """Apply pending migrations; safe when several processes start at once.

    Tortoise's migrator takes no lock, and records each migration outside its DDL transaction,
    so concurrent runs on PostgreSQL collide. We hold a session-level advisory lock on a
    connection of our own (Tortoise's pool gives no guarantee which connection migrate uses).
    SQLite serialises writers itself. Call before init().
    """
    create_private(database_url)
    config = tortoise_config(database_url, pool_size=2)
    lock_connection = None
    if database_url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        credentials = expand_db_url(config["connections"]["default"])["credentials"]
        lock_connection = await asyncpg.connect(
            host=credentials["host"],
            port=credentials["port"],
            user=credentials["user"],
            password=credentials.get("password"),
            database=credentials["database"],
        )
    try:
        if lock_connection is not None:
            await lock_connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        async with TortoiseContext():
            await apply_migrations(config=config)
    finally:
        if lock_connection is not None:
            await lock_connection.close()  # ending the session releases the lock


class DatabaseUnavailable(Exception):
    """The database cannot be used at all; the message is one line for the operator."""


async def preflight(database_url: str, connect_timeout: float = 5.0) -> None:
    """Fail fast, in one line, where Tortoise would hang or raise a long traceback: a SQLite
    file in a missing folder (sqlite3 then waits for ever), an unreachable PostgreSQL."""
    path = sqlite_path(database_url)
    if path is not None:
        folder = path.parent
        if not folder.is_dir():
            raise DatabaseUnavailable(f"cannot open SQLite {path}: folder {folder} does not exist")
        if path.is_dir():
            raise DatabaseUnavailable(f"cannot open SQLite {path}: it is a folder")
        if not os.access(path if path.exists() else folder, os.W_OK):
            raise DatabaseUnavailable(f"cannot open SQLite {path}: not writable")
        return
    if not is_postgres(database_url):
        return
    credentials = expand_db_url(tortoise_config(database_url)["connections"]["default"])
    options = credentials["credentials"]
    try:
        connection = await asyncpg.connect(
            host=options["host"],
            port=options["port"],
            user=options["user"],
            password=options.get("password"),
            database=options["database"],
            timeout=connect_timeout,
        )
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        reason = _reason(exc, connect_timeout)
        raise DatabaseUnavailable(f"cannot reach {describe(database_url)}: {reason}") from None
    await connection.close()


def _reason(exc: BaseException, timeout: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, socket.gaierror):
        return f"host not found ({exc.strerror})"
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno).lower()
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
