"""What a starting process checks before any work, and what it tells the operator.

The port is taken first (so "already in use" comes before migrations), then the database is
reached (so a bad URL is one line, not a hang or a traceback), then one block of log lines
says where the service listens and how it is configured.
"""

import asyncio
import errno
import gc
import logging
import os
import socket

from hookline import __version__
from hookline.settings import Settings
from models import db
from models.dburl import describe, without_password

logger = logging.getLogger("hookline")

BACKLOG = 2048  # uvicorn's default


# A young collection every 50,000 allocations rather than CPython's 700: a delivery allocates
# hundreds of short-lived objects, and the default collected so often that it cost ~8 % of the
# dispatcher's CPU. Older generations keep their usual ratios to the young one.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Fewer, cheaper garbage collections for a serving process: called once everything is
    imported and built, so the objects that live as long as the process (modules, the schema,
    models' metadata) are frozen out of every collection, and full collections stay short.
    A full collection over all of them paused the event loop for 100-200 ms, with every
    delivery and request in flight waiting it out."""
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class StartupError(Exception):
    """The process cannot start; the message is one line for the operator."""


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, for uvicorn to serve on."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} on {host} is already in use: stop the other process or pick "
                "another with --port"
            ) from None
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise StartupError(f"cannot listen on {host}:{port}: {reason.lower()}") from None
    return sock


def reach_database(settings: Settings) -> None:
    try:
        asyncio.run(db.preflight(settings.database_url))
    except db.DatabaseUnavailable as exc:
        raise StartupError(str(exc)) from None


def _url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):  # every interface: show the address that works here
        host = "127.0.0.1" if host != "::" else "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announce(settings: Settings, sock: socket.socket, *, api: bool, bridge: bool) -> None:
    host, port = sock.getsockname()[:2]
    base = _url(host, port)
    listening = base if api else f"{base} (health and metrics only)"
    if host in ("0.0.0.0", "::"):
        listening += f", and every other interface ({host})"
    facts: list[tuple[str, str]] = [
        ("version", f"Hookline {__version__}"),
        ("listening", listening),
    ]
    if api:
        facts.append(("GraphiQL", f"{base}/graphql"))
    facts += [
        ("database", describe(settings.database_url)),
        (
            "Redis",
            f"on, {without_password(settings.redis_url)}"
            if settings.redis_url
            else "off (events are announced within this process only)",
        ),
        (
            "bridge",
            "on (this process delivers webhooks)"
            if bridge
            else "off (run `hookline bridge` to deliver webhooks)",
        ),
        (
            "private webhook URLs",
            "allowed (HOOKLINE_ALLOW_PRIVATE_URLS=1)"
            if settings.allow_private_urls
            else "refused (HOOKLINE_ALLOW_PRIVATE_URLS=1 allows them)",
        ),
    ]
    for name, value in facts:
        logger.info("%s: %s", name, value, extra={"setting": name, "value": value})
