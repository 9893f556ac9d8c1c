"""The `hookline` command: serve, bridge, bootstrap, token create and revoke, migrate; and, for
a developer's machine, listen and trigger (hookline/local)."""

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import NoReturn

from hookline import __version__, logs
from hookline.settings import VARIABLES, Settings, SettingsError
from hookline.startup import StartupError, announce, listen, reach_database, tune_gc
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


class Parser(argparse.ArgumentParser):
    """A mistake on the command line is one line on stderr, pointing at --help (argparse's
    own prints the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"hookline: {message} (see `{self.prog} --help`)\n")


def environment() -> str:
    lines = ["environment variables:"]
    for name, default, meaning in VARIABLES:
        lines += [f"  {name} (default: {default})", f"      {meaning}"]
    return "\n".join(lines)


def parsers() -> dict[str, argparse.ArgumentParser]:
    """Every parser by command ("" for the top level), so tests can check each one's help."""
    options = {"formatter_class": HelpFormatter, "epilog": environment()}
    top = Parser(prog="hookline", description=__doc__, **options)
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str,
        text: str,
        group: argparse._SubParsersAction = commands,  # type: ignore[type-arg]
        epilog: str = options["epilog"],
    ) -> argparse.ArgumentParser:
        return group.add_parser(
            name, help=text, description=text, formatter_class=HelpFormatter, epilog=epilog
        )

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
    revoke = command(
        "revoke", "revoke a token: every running process refuses it at once", token_commands
    )
    revoke.add_argument("--id", required=True, dest="token_id", help="the token's id")

    migrate = command("migrate", "bring the database schema up to date")
    listen, trigger = _local_commands(command)
    return {
        "": top,
        "serve": serve,
        "bridge": bridge,
        "bootstrap": bootstrap,
        "token": token,
        "token create": create,
        "token revoke": revoke,
        "migrate": migrate,
        "listen": listen,
        "trigger": trigger,
    }


def _local_commands(
    command: Callable[..., argparse.ArgumentParser],
) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """`listen` and `trigger`: clients of a server, run on a developer's machine."""
    from hookline.local.environment import client_environment

    epilog = client_environment()
    listen = command(
        "listen",
        "forward a server's events to a local URL, signed as real webhook deliveries",
        epilog=epilog,
    )
    trigger = command(
        "trigger",
        "cause one real event of a type through the API, for trying a receiver",
        epilog=epilog,
    )
    for parser in (listen, trigger):
        parser.add_argument(
            "--server",
            metavar="URL",
            help="the Hookline server, e.g. http://127.0.0.1:8000 (required, or set "
            "HOOKLINE_SERVER)",
        )
        parser.add_argument(
            "--token",
            help="an API token, <tokenId>.<tokenSecret> (required, or set HOOKLINE_TOKEN)",
        )
    listen.add_argument(
        "--forward-to", required=True, metavar="URL", help="where to POST each event"
    )
    listen.add_argument(
        "--events", metavar="E,...", help="only these event types, comma-separated; all if omitted"
    )
    listen.add_argument(
        "--project",
        metavar="ID,...",
        help="only these projects, comma-separated; all yours if omitted",
    )
    listen.add_argument(
        "--after",
        metavar="CURSOR",
        help="replay the events after this event id, then go on live (0: from the first "
        "event, while the server still keeps it); `now`: from now on. Omitted: after the last "
        "event forwarded from this server with this token, or from now on the first time",
    )
    listen.add_argument(
        "--secret",
        metavar="whsec_...",
        help="sign with this secret (one printed by an earlier listen) instead of a new one",
    )
    listen.add_argument("--print-json", action="store_true", help="also print each body sent")
    trigger.add_argument("event", metavar="EVENT", help="an event type, e.g. TODO_CREATED")
    trigger.add_argument(
        "--project", required=True, metavar="ID", help="the project to make the change in"
    )
    return listen, trigger


def main(argv: Sequence[str] | None = None) -> int:
    args = parsers()[""].parse_args(argv)
    if args.command in ("listen", "trigger"):  # clients: the server's settings do not apply
        from hookline.local import commands

        return commands.run_listen(args) if args.command == "listen" else commands.run_trigger(args)
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
        elif args.command == "token" and args.token_command == "revoke":
            made = _with_db(settings, lambda: _revoke_token(settings, args.token_id))
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
    tune_gc()
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
