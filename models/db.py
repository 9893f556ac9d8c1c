"""Database set-up: the Tortoise configuration, start-up and schema migrations."""

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

MODEL_MODULES = ["models.accounts", "models.tracker", "models.events", "models.webhooks"]


def tortoise_config(database_url: str, pool_size: int = 10) -> dict[str, Any]:
    url = database_url
    if url.startswith(("postgres://", "postgresql://", "asyncpg://")) and "maxsize=" not in url:
        url += ("&" if "?" in url else "?") + f"maxsize={pool_size}"
    if url.startswith("sqlite://") and "busy_timeout" not in url:
        url += ("&" if "?" in url else "?") + "busy_timeout=10000"
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


async def init(database_url: str, pool_size: int = 10) -> None:
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


async def migrate() -> None:
    await Tortoise.generate_schemas(safe=True)
