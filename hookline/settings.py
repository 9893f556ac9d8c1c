"""One frozen settings object, read from the environment here and nowhere else."""

import os
from collections.abc import Mapping
from dataclasses import dataclass

from limits import RateLimitItem, parse_many

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
    # Limits (README "Limits"): rates in the `limits` notation, shared through Redis if set.
    ("HOOKLINE_RATE_LIMIT_REQUESTS", "10000/minute", "operations per token"),
    (
        "HOOKLINE_RATE_LIMIT_ANONYMOUS",
        "300/minute",
        "requests and refused WebSocket logins without a valid token, per client address",
    ),
    ("HOOKLINE_RATE_LIMIT_TEST_WEBHOOK", "20/minute", "sends on demand per webhook"),
    ("HOOKLINE_RATE_LIMIT_TEST_WEBHOOK_PER_TOKEN", "60/minute", "sends on demand per token"),
    ("HOOKLINE_RATE_LIMIT_CONNECTIONS", "300/minute", "new WebSockets per token"),
    ("HOOKLINE_MAX_CONNECTIONS_PER_TOKEN", "20", "WebSockets open at once per token"),
    ("HOOKLINE_MAX_SUBSCRIPTIONS_PER_TOKEN", "200", "subscriptions open at once per token"),
    (
        "HOOKLINE_MAX_PENDING_CONNECTIONS_PER_ADDRESS",
        "100",
        "WebSockets awaiting connection_init per client address",
    ),
    (
        "HOOKLINE_MAX_CONCURRENT_OPERATIONS_PER_TOKEN",
        "4",
        "operations of one token run at once; more wait",
    ),
    (
        "HOOKLINE_MAX_WAITING_REQUESTS_PER_TOKEN",
        "100",
        "HTTP requests of one token waiting for a turn; more are refused (429)",
    ),
    (
        "HOOKLINE_CORS_ORIGINS",
        "unset",
        "comma-separated browser origins (https://app.example.com, or *) that may call the API",
    ),
    (
        "HOOKLINE_PUBLIC_URL",
        "unset",
        "where browsers reach this service (e.g. https://hooks.example.com), for portal links; "
        "unset: the address each request came to",
    ),
    (
        "HOOKLINE_PORTAL_FRAME_ANCESTORS",
        "unset",
        "comma-separated origins (https://app.example.com, or *) that may show /portal in an "
        "iframe; unset: none",
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


def _rates(env: Mapping[str, str], name: str, default: str) -> str:
    """A rate in the `limits` notation ("100/minute", "10/second;1000/hour"), checked here so a
    typo stops the server at start rather than at the first request."""
    raw = env.get(name) or default
    try:
        parse_many(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be rates like '100/minute', got {raw!r}: {exc}") from None
    return raw


def _public_url(raw: str | None) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")) or any(c in raw for c in " ?#"):
        raise SettingsError(f"HOOKLINE_PUBLIC_URL must be an http(s) URL, got {raw!r}")
    return raw.rstrip("/")


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
    # Rates shared by every process (in Redis when redis_url is set); see README "Limits".
    rate_limit_requests: str = "10000/minute"  # per token
    rate_limit_anonymous: str = "300/minute"  # per client address, without a valid token
    rate_limit_test_webhook: str = "20/minute"  # per webhook: testWebhook, redeliveries
    rate_limit_test_webhook_per_token: str = "60/minute"
    rate_limit_connections: str = "300/minute"  # new WebSockets per token
    # Open at once, counted in each process.
    max_connections_per_token: int = 20
    max_subscriptions_per_token: int = 200
    max_pending_connections_per_address: int = 100  # sockets not yet authenticated
    # Operations of one token executed at once; more wait their turn (fairness, not refusal).
    max_concurrent_operations_per_token: int = 4
    # HTTP requests of one token waiting for one of those turns; more are refused at the door.
    max_waiting_requests_per_token: int = 100
    # Browser apps on these origins may call the API (CORS) and open its WebSockets; none by
    # default, so a page elsewhere cannot use a token it got hold of from a user's browser.
    cors_origins: tuple[str, ...] = ()
    log_format: str = "text"
    public_url: str | None = None
    portal_frame_ancestors: tuple[str, ...] = ()

    def rates(self, name: str) -> list[RateLimitItem]:
        """One of the rate_limit_* settings as `limits` items."""
        return parse_many(getattr(self, f"rate_limit_{name}"))

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
            **{
                f"rate_limit_{name}": _rates(
                    env, f"HOOKLINE_RATE_LIMIT_{name.upper()}", getattr(cls, f"rate_limit_{name}")
                )
                for name in RATE_LIMITS
            },
            **{
                name: int(_number(env, f"HOOKLINE_{name.upper()}", getattr(cls, name), int))
                for name in CAPS
            },
            cors_origins=_origins(env, "HOOKLINE_CORS_ORIGINS"),
            log_format=log_format,
            public_url=_public_url(env.get("HOOKLINE_PUBLIC_URL")),
            portal_frame_ancestors=_origins(env, "HOOKLINE_PORTAL_FRAME_ANCESTORS"),
        )


RATE_LIMITS = ("requests", "anonymous", "test_webhook", "test_webhook_per_token", "connections")
CAPS = (
    "max_connections_per_token",
    "max_subscriptions_per_token",
    "max_pending_connections_per_address",
    "max_concurrent_operations_per_token",
    "max_waiting_requests_per_token",
)
