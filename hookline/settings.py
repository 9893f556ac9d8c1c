"""One frozen settings object, read from the environment here and nowhere else."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bridge.retry import DEFAULT_SCHEDULE, parse_schedule
from models.dburl import DatabaseUrlError, checked

# Every variable Hookline reads: (name, default, meaning). `hookline --help` lists them.
VARIABLES: tuple[tuple[str, str, str], ...] = (
    (
        "HOOKLINE_DATABASE_URL",
        "sqlite://hookline.db",
        "sqlite://PATH (relative to the folder "
        "the command starts in) or postgres://USER@HOST:PORT/DATABASE",
    ),
    ("HOOKLINE_REDIS_URL", "unset", "Redis for announcing events across processes"),
    ("HOOKLINE_ALLOW_PRIVATE_URLS", "0", "1 lets webhooks target loopback and private addresses"),
    (
        "HOOKLINE_RETRY_SCHEDULE",
        ",".join(f"{s:g}" for s in DEFAULT_SCHEDULE),
        "seconds before each delivery attempt",
    ),
    ("HOOKLINE_DELIVERY_TIMEOUT", "7", "seconds per delivery attempt"),
    ("HOOKLINE_MAX_ENABLED_WEBHOOKS", "50", "enabled webhooks per company"),
    ("HOOKLINE_DELIVERY_RETENTION_DAYS", "30", "days finished deliveries are kept"),
    (
        "HOOKLINE_EVENT_RETENTION_DAYS",
        "30",
        "days events are kept once matched; older cursors get CURSOR_EXPIRED",
    ),
    ("HOOKLINE_DB_POOL_SIZE", "10", "PostgreSQL connections per process"),
    ("HOOKLINE_CLAIM_LEASE_SECONDS", "120", "a claimed delivery not recorded by then is retried"),
    ("HOOKLINE_EVENT_POLL_SECONDS", "1", "how often the event table is read without announcements"),
    ("HOOKLINE_LOG_FORMAT", "text", "text, or json for one JSON object per log line"),
    (
        "HOOKLINE_CORS_ORIGINS",
        "unset",
        "comma-separated browser origins (https://app.example.com, or *) that may call the API",
    ),
)
LOG_FORMATS = ("text", "json")


class SettingsError(ValueError):
    """An environment variable holds a value we cannot use."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be 0 or 1, got {raw!r}")


def _number(env: Mapping[str, str], name: str, default: float, cast: type = float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {raw!r}")
    return value


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Browser origins: comma-separated `scheme://host[:port]`, or `*` for any."""
    origins = []
    for raw in (env.get(name) or "").split(","):
        origin = raw.strip().rstrip("/")
        if not origin:
            continue
        scheme, _, host = origin.partition("://")
        if origin != "*" and (scheme not in ("http", "https") or not host or "/" in host):
            raise SettingsError(
                f"{name} holds origins like https://app.example.com (scheme://host[:port]), "
                f"got {raw.strip()!r}"
            )
        origins.append(origin)
    return tuple(origins)


def _masked(url: str | None) -> str | None:
    if url is None or "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://hookline.db"
    redis_url: str | None = None
    allow_private_urls: bool = False
    retry_schedule: tuple[float, ...] = DEFAULT_SCHEDULE
    delivery_timeout: float = 7.0
    max_enabled_webhooks: int = 50
    delivery_retention_days: float = 30.0
    event_retention_days: float = 30.0
    max_body_bytes: int = 1_000_000
    max_subscriber_queue: int = 1000
    db_pool_size: int = 10
    claim_lease_seconds: float = 120.0
    event_poll_seconds: float = 1.0
    # Browser apps on these origins may call the API (CORS) and open its WebSockets; none by
    # default, so a page elsewhere cannot use a token it got hold of from a user's browser.
    cors_origins: tuple[str, ...] = ()
    log_format: str = "text"

    def __repr__(self) -> str:
        return (
            f"Settings(database_url={_masked(self.database_url)!r}, "
            f"redis_url={_masked(self.redis_url)!r}, allow_private_urls={self.allow_private_urls})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        try:
            schedule = (
                parse_schedule(env["HOOKLINE_RETRY_SCHEDULE"])
                if env.get("HOOKLINE_RETRY_SCHEDULE")
                else DEFAULT_SCHEDULE
            )
        except ValueError as exc:
            raise SettingsError(f"HOOKLINE_RETRY_SCHEDULE: {exc}") from None
        try:
            database_url = checked(env.get("HOOKLINE_DATABASE_URL") or cls.database_url)
        except DatabaseUrlError as exc:
            raise SettingsError(f"HOOKLINE_DATABASE_URL: {exc}") from None
        log_format = (env.get("HOOKLINE_LOG_FORMAT") or cls.log_format).lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"HOOKLINE_LOG_FORMAT must be text or json, got {log_format!r}")
        return cls(
            database_url=database_url,
            redis_url=env.get("HOOKLINE_REDIS_URL") or None,
            allow_private_urls=_flag(env, "HOOKLINE_ALLOW_PRIVATE_URLS", False),
            retry_schedule=schedule,
            delivery_timeout=_number(env, "HOOKLINE_DELIVERY_TIMEOUT", 7.0),
            max_enabled_webhooks=int(_number(env, "HOOKLINE_MAX_ENABLED_WEBHOOKS", 50, int)),
            delivery_retention_days=_number(env, "HOOKLINE_DELIVERY_RETENTION_DAYS", 30.0),
            event_retention_days=_number(env, "HOOKLINE_EVENT_RETENTION_DAYS", 30.0),
            db_pool_size=int(_number(env, "HOOKLINE_DB_POOL_SIZE", 10, int)),
            claim_lease_seconds=_number(env, "HOOKLINE_CLAIM_LEASE_SECONDS", 120.0),
            event_poll_seconds=_number(env, "HOOKLINE_EVENT_POLL_SECONDS", 1.0),
            cors_origins=_origins(env, "HOOKLINE_CORS_ORIGINS"),
            log_format=log_format,
        )
