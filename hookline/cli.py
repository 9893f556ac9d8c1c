"""The `hookline` command: serve, bridge, bootstrap, token create, migrate."""

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence

from hookline import __version__, logs
from hookline.settings import VARIABLES, Settings, SettingsError
from hookline.startup import StartupError, announce, listen, reach_database
from models.dburl import describe


class CliError(Exception):
    """A problem to report in one line, with exit status 2."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's layout and shows each option's default (argparse's own
    ArgumentDefaultsHelpFormatter also prints "default: None" for required options)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.required:
            return f"{text} (required)"
        if action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in text:
            return f"{text} (default: %(default)s)"
        return text


def environment() -> str:
    lines = ["environment variables:"]
    for name, default, meaning in VARIABLES:
        lines += [f"  {name} (default: {default})", f"      {meaning}"]
    return "\n".join(lines)


def parsers() -> dict[str, argparse.ArgumentParser]:
    """Every parser by command ("" for the top level), so tests can check each one's help."""
    options = {"formatter_class": HelpFormatter, "epilog": environment()}
    top = argparse.ArgumentParser(prog="hookline", description=__doc__, **options)
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, text: str, group: argparse._SubParsersAction = commands
    ) -> argparse.ArgumentParser:  # type: ignore[type-arg]
        return group.add_parser(name, help=text, description=text, **options)

    serve = command("serve", "API, GraphiQL at /graphql, bridge and dispatcher in one process")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 for all")
    serve.add_argument(
        "--port", type=int, default=8000, help="port to listen on; 0 picks a free one"
    )
    serve.add_argument(
        "--no-bridge", action="store_true", help="API only; run `hookline bridge` elsewhere"
    )

    bridge = command(
        "bridge", "bridge and dispatcher only, for scale-out (serves /healthz, /readyz, /metrics)"
    )
    bridge.add_argument("--host", default="127.0.0.1", help="address for health and metrics")
    bridge.add_argument("--port", type=int, default=9100, help="port for health and metrics")

    bootstrap = command(
        "bootstrap", "create a company, its owner, a project and a token; prints JSON"
    )
    bootstrap.add_argument("--company", required=True, metavar="NAME", help="the company's name")
    bootstrap.add_argument(
        "--email", required=True, help="the owner's email; an existing user is reused"
    )
    bootstrap.add_argument("--project", metavar="NAME", help="also create a project with this name")
    bootstrap.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="create the company even if one with this name exists",
    )

    token = command("token", "API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = command("create", "a new token for an existing user; prints JSON", token_commands)
    create.add_argument("--email", required=True, help="the user's email")

    migrate = command("migrate", "bring the database schema up to date")
    return {
        "": top,
        "serve": serve,
        "bridge": bridge,
        "bootstrap": bootstrap,
        "token": token,
        "token create": create,
        "migrate": migrate,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parsers()[""].parse_args(argv)
    try:
        settings = Settings.from_env()
        logs.configure(settings.log_format)
        if args.command == "serve":
            return _serve(settings, args.host, args.port, bridge=not args.no_bridge)
        if args.command == "bridge":
            return _serve(settings, args.host, args.port, bridge=True, api=False)
        if args.command == "bootstrap":
            made = _with_db(
                settings,
                lambda: _bootstrap(args.company, args.email, args.project, args.allow_duplicate),
            )
        elif args.command == "token":
            made = _with_db(settings, lambda: _create_token(args.email))
        else:
            _with_db(settings, _noop)
            _say(f"database schema is up to date ({describe(settings.database_url)})")
            return 0
    except (CliError, SettingsError, StartupError) as exc:
        _say(str(exc))
        return 2
    _say(f"wrote to {describe(settings.database_url)}")
    print(json.dumps(made, indent=2))
    return 0


def _say(message: str) -> None:
    print(f"hookline: {message}", file=sys.stderr)


def _serve(settings: Settings, host: str, port: int, bridge: bool, api: bool = True) -> int:
    import uvicorn

    from hookline.app import build_app

    sock = listen(host, port)  # before anything else: a busy port is reported at once
    reach_database(settings)
    announce(settings, sock, api=api, bridge=bridge)
    app = build_app(settings, run_bridge=bridge, serve_api=api)
    config = uvicorn.Config(
        app,
        log_config=None,  # our handler (hookline.logs) formats uvicorn's lines too
        log_level="info",
        ws_per_message_deflate=False,
        # SIGTERM: uvicorn stops accepting, then the lifespan lets in-flight deliveries finish.
        timeout_graceful_shutdown=int(settings.delivery_timeout) + 5,
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _with_db(settings: Settings, work: Callable[[], Awaitable[object]]) -> object:
    from models import db

    reach_database(settings)

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


async def _bootstrap(
    company_name: str, email: str, project_name: str | None, allow_duplicate: bool
) -> dict[str, object]:
    from hookline import accounts

    try:
        return await accounts.bootstrap(
            company_name, email, project_name, unique_name=not allow_duplicate
        )
    except accounts.AccountError as exc:
        raise CliError(str(exc)) from None


async def _create_token(email: str) -> dict[str, object]:
    from hookline import accounts

    try:
        return await accounts.token_for(email)
    except accounts.AccountError as exc:
        raise CliError(str(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
