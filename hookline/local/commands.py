"""`hookline listen` and `hookline trigger` from parsed arguments: check every value first (a
mistake is one line and exit status 2), then run; the server's refusal is one line and status 1.
"""

import argparse
import asyncio
import base64
import binascii
import os
import sys
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bridge.signing import SECRET_PREFIX
from hookline.local.remote import LocalToolError, Refused, Server, UsageError
from hookline.local.state import NOW
from hookline.local.stream import Filters
from hookline.local.trigger import event_type

if TYPE_CHECKING:
    from hookline.local.listener import Options


def run_listen(args: argparse.Namespace) -> int:
    # Imported here: the forwarding half (bridge, models) is not needed to trigger.
    from hookline.local.listener import listen
    from hookline.local.report import Report

    return _run(lambda: listen(_listen_options(args), Report(args.print_json)))


def run_trigger(args: argparse.Namespace) -> int:
    from hookline.local.trigger import trigger

    def say(line: str) -> None:
        print(line, flush=True)

    async def work() -> None:
        event = event_type(args.event)
        await trigger(_server(args), args.project.strip(), event, say)
        say(f"triggered {event}")

    return _run(work)


def _run(work: Callable[[], Coroutine[Any, Any, None]]) -> int:
    try:
        asyncio.run(work())
    except KeyboardInterrupt:
        _say("stopped")
        return 0
    except UsageError as exc:
        _say(str(exc))
        return 2
    except Refused as exc:
        _say(str(exc))
        return 1
    except LocalToolError as exc:  # Unreachable, from a command that does not wait
        _say(str(exc))
        return 1
    return 0


def _say(message: str) -> None:
    print(f"hookline: {message}", file=sys.stderr, flush=True)


def _server(args: argparse.Namespace) -> Server:
    url = args.server or os.environ.get("HOOKLINE_SERVER")
    token = args.token or os.environ.get("HOOKLINE_TOKEN")
    if not url:
        raise UsageError("--server is required (or set HOOKLINE_SERVER)")
    if not token:
        raise UsageError("--token is required (or set HOOKLINE_TOKEN)")
    return Server.of(url, token)


def _listen_options(args: argparse.Namespace) -> "Options":
    from hookline.local.listener import Options

    server = _server(args)
    return Options(
        server=server,
        forward_to=_forward_to(args.forward_to),
        filters=Filters(
            events=[str(event_type(name)) for name in _items(args.events)] or None,
            project_ids=_items(args.project) or None,
        ),
        after=_after(args.after),
        secret=_secret(args.secret),
        print_json=args.print_json,
    )


def _items(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _forward_to(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--forward-to must be an http:// or https:// URL, got {url!r}")
    return url.strip()


def _after(text: str | None) -> int | str | None:
    if text is None:
        return None
    value = text.strip().lower()
    if value == NOW:
        return NOW
    if not value.isascii() or not value.isdigit():
        raise UsageError(f"--after must be an event id (a number) or {NOW!r}, got {text!r}")
    return int(value)


def _secret(text: str | None) -> str | None:
    if text is None:
        return None
    secret = text.strip()
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not secret.startswith(SECRET_PREFIX) or len(key) < 16:
        raise UsageError(
            f"--secret must be {SECRET_PREFIX} followed by the base64 of at least 16 bytes, "
            "as listen printed it"
        )
    return secret
