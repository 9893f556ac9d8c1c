"""The `hookline` command: serve, bridge, bootstrap, token create and revoke, migrate."""

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence

from hookline.settings import Settings, SettingsError

logger = logging.getLogger("hookline")


class CliError(Exception):
    """A problem to report in one line, with exit status 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hookline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="API, GraphiQL, bridge and dispatcher")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-bridge", action="store_true", help="API only")

    bootstrap = commands.add_parser("bootstrap", help="company, owner, project and a token")
    bootstrap.add_argument("--company", required=True)
    bootstrap.add_argument("--email", required=True)
    bootstrap.add_argument("--project")

    bridge = commands.add_parser("bridge", help="bridge and dispatcher only (scale-out)")
    bridge.add_argument("--host", default="127.0.0.1")
    bridge.add_argument("--port", type=int, default=9100, help="for /healthz, /readyz, /metrics")

    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="a new token for a user")
    create.add_argument("--email", required=True)
    revoke = token_commands.add_parser("revoke", help="revoke a token (every process stops it)")
    revoke.add_argument("--id", required=True, dest="token_id", help="the token's id")

    commands.add_parser("migrate", help="bring the database schema up to date")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings.from_env()
        if args.command == "serve":
            return _serve(settings, args.host, args.port, bridge=not args.no_bridge)
        if args.command == "bridge":
            return _serve(settings, args.host, args.port, bridge=True, api=False)
        if args.command == "bootstrap":
            result = _with_db(settings, lambda: _bootstrap(args.company, args.email, args.project))
        elif args.command == "token" and args.token_command == "revoke":
            result = _with_db(settings, lambda: _revoke_token(settings, args.token_id))
        elif args.command == "token":
            result = _with_db(settings, lambda: _create_token(args.email))
        else:
            result = _with_db(settings, _noop)
            print("database schema is up to date", file=sys.stderr)
            return 0
    except (CliError, SettingsError) as exc:
        print(f"hookline: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0


def _serve(settings: Settings, host: str, port: int, bridge: bool, api: bool = True) -> int:
    import uvicorn

    from hookline.app import build_app

    app = build_app(settings, run_bridge=bridge, serve_api=api)
    # SIGTERM: uvicorn stops accepting, then the lifespan lets in-flight deliveries finish.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        ws_per_message_deflate=False,
        timeout_graceful_shutdown=int(settings.delivery_timeout) + 5,
    )
    return 0


def _with_db(settings: Settings, work: Callable[[], Awaitable[object]]) -> object:
    from models import db

    async def run() -> object:
        await db.migrate(settings.database_url)
        await db.init(settings.database_url)
        try:
            return await work()
        finally:
            await db.close()

    return asyncio.run(run())


async def _noop() -> None:
    return None


async def _bootstrap(company_name: str, email: str, project_name: str | None) -> dict[str, object]:
    from hookline import accounts

    try:
        made = await accounts.bootstrap(company_name, email, project_name)
    except accounts.AccountError as exc:
        raise CliError(str(exc)) from None
    return made


async def _create_token(email: str) -> dict[str, object]:
    from hookline import accounts

    try:
        return await accounts.token_for(email)
    except accounts.AccountError as exc:
        raise CliError(str(exc)) from None


async def _revoke_token(settings: Settings, token_id: str) -> dict[str, object]:
    from events.bus import LocalBus, RedisBus
    from hookline import accounts

    # With Redis, running servers hear it at once; either way they find the stored count
    # moved (within HOOKLINE_EVENT_POLL_SECONDS).
    bus = RedisBus(settings.redis_url) if settings.redis_url else LocalBus()
    try:
        return await accounts.revoke_token(token_id, bus)
    except accounts.AccountError as exc:
        raise CliError(str(exc)) from None
    finally:
        await bus.stop()


if __name__ == "__main__":
    sys.exit(main())
