"""A service that explains itself: start-up facts, one-line errors for bad settings, help.

Every command runs as a real subprocess. A bad setting must end the process with one line on
stderr and a non-zero status within 10 s: the subprocess timeout is that bound, and a hang
fails the test with TimeoutExpired.
"""

import json
import os
import re
import socket
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from hookline import __version__
from hookline.cli import parsers
from hookline.local.environment import CLIENT_VARIABLES
from hookline.settings import VARIABLES
from tests.conftest import PgDatabase
from tests.servers import HOOKLINE, HooklineProcess, free_port

BOUND = 10  # seconds a refusal may take, at most
CLIENT_COMMANDS = ("listen", "trigger")


def hookline(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HOOKLINE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=cwd,
        timeout=BOUND,
    )


def one_line_refusal(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0, result
    assert len(lines) == 1 and lines[0].startswith("hookline: "), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "command", [["migrate"], ["serve", "--port", "0"], ["bridge", "--port", "0"]]
)
def test_unsupported_database_scheme(command: list[str]) -> None:
    result = hookline(command, {"HOOKLINE_DATABASE_URL": "mysql://root@127.0.0.1/hookline"})
    one_line_refusal(result, "unsupported database URL", "sqlite://", "postgres://")


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "0"]])
def test_unreachable_postgresql(command: list[str]) -> None:
    unused_port = free_port()
    url = f"postgres://hookline:s3cret@127.0.0.1:{unused_port}/hookline"
    line = one_line_refusal(hookline(command, {"HOOKLINE_DATABASE_URL": url}), "cannot reach")
    assert f"postgres://hookline@127.0.0.1:{unused_port}/hookline" in line
    assert "s3cret" not in line


@pytest.mark.parametrize(
    "command",
    [
        ["migrate"],
        ["serve", "--port", "0"],
        ["bootstrap", "--company", "Acme", "--email", "a@acme.test"],
        ["token", "create", "--email", "a@acme.test"],
    ],
)
def test_sqlite_file_in_a_missing_folder(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = hookline(command, {"HOOKLINE_DATABASE_URL": f"sqlite://{missing}/hookline.db"})
    one_line_refusal(result, f"folder {missing} does not exist")


def test_port_in_use_is_refused_before_migrations(tmp_path: Path) -> None:
    db = tmp_path / "hookline.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = hookline(
            ["serve", "--port", str(port)], {"HOOKLINE_DATABASE_URL": f"sqlite://{db}"}
        )
    one_line_refusal(result, f"port {port}", "already in use")
    assert not db.exists(), "the database was touched before the port was checked"


def test_bad_log_format() -> None:
    one_line_refusal(hookline(["migrate"], {"HOOKLINE_LOG_FORMAT": "xml"}), "HOOKLINE_LOG_FORMAT")


def test_relative_sqlite_path_is_resolved_and_shown(tmp_path: Path) -> None:
    env = {"HOOKLINE_DATABASE_URL": "sqlite://data.db"}
    made = hookline(["bootstrap", "--company", "Acme", "--email", "a@acme.test"], env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stderr.strip() == f"hookline: wrote to SQLite {tmp_path / 'data.db'}"
    assert (tmp_path / "data.db").exists()
    token = hookline(["token", "create", "--email", "a@acme.test"], env, cwd=tmp_path)
    assert token.stderr.strip() == f"hookline: wrote to SQLite {tmp_path / 'data.db'}"
    # From another folder the same relative URL is another file, and the message says which.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    lost = hookline(["token", "create", "--email", "a@acme.test"], env, cwd=elsewhere)
    assert lost.returncode == 2 and "no user" in lost.stderr
    migrated = hookline(["migrate"], env, cwd=elsewhere)
    assert migrated.stderr.strip() == (
        f"hookline: database schema is up to date (SQLite {elsewhere / 'data.db'})"
    )  # one line: no ORM shutdown chatter


def test_bootstrap_refuses_an_existing_company_name_unless_asked(tmp_path: Path) -> None:
    env = {"HOOKLINE_DATABASE_URL": f"sqlite://{tmp_path / 'hookline.db'}"}
    first = hookline(["bootstrap", "--company", "Acme", "--email", "a@acme.test"], env)
    company = json.loads(first.stdout)["companyId"]
    again = hookline(["bootstrap", "--company", "ACME", "--email", "b@acme.test"], env)
    one_line_refusal(again, "already exists", company, "--allow-duplicate")
    forced = hookline(
        ["bootstrap", "--company", "ACME", "--email", "b@acme.test", "--allow-duplicate"], env
    )
    assert forced.returncode == 0 and json.loads(forced.stdout)["companyId"] != company


def test_every_option_has_help_with_its_default() -> None:
    for command, parser in parsers().items():
        text = parser.format_help()
        for action in parser._actions:  # argparse offers no public list of a parser's options
            if not action.option_strings:
                continue
            assert action.help, f"{command or 'hookline'} {action.option_strings} has no help"
            if action.default not in (None, False, "==SUPPRESS=="):
                assert f"(default: {action.default})" in text, (command, action.option_strings)
        if command in CLIENT_COMMANDS:  # clients of a server: their own variables
            for name, _ in CLIENT_VARIABLES:
                assert f"  {name}\n" in text, (command, name)
            continue
        for name, default, _ in VARIABLES:
            assert f"{name} (default: {default})" in text, (command, name)


def test_every_variable_read_is_listed_in_help() -> None:
    source = (Path(__file__).parent.parent / "hookline" / "settings.py").read_text()
    read = set(re.findall(r'"(HOOKLINE_[A-Z_]+)"', source))
    assert read == {name for name, _, _ in VARIABLES}
    local = Path(__file__).parent.parent / "hookline" / "local"
    read = {
        v for f in local.glob("*.py") for v in re.findall(r'"(HOOKLINE_[A-Z_]+)"', f.read_text())
    }
    assert read == {name for name, _ in CLIENT_VARIABLES if name.startswith("HOOKLINE_")}


def test_version() -> None:
    result = hookline(["--version"], {})
    assert result.returncode == 0 and result.stdout.strip() == f"hookline {__version__}"


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_start_up_says_where_and_how_in_one_format(log_format: str, tmp_path: Path) -> None:
    db = tmp_path / "hookline.db"
    env = {"HOOKLINE_DATABASE_URL": f"sqlite://{db}", "HOOKLINE_LOG_FORMAT": log_format}
    log = tmp_path / "serve.log"
    async with HooklineProcess(env, log) as server, httpx.AsyncClient() as http:
        await http.get(f"http://{server.address}/healthz")  # an access-log line from uvicorn
    lines = log.read_text().splitlines()
    if log_format == "json":
        records = [json.loads(line) for line in lines]  # every line, uvicorn's too
        messages = [r["message"] for r in records]
        assert {r["logger"] for r in records} >= {"hookline", "uvicorn.error", "uvicorn.access"}
    else:
        pattern = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [\w.]+: ")
        assert all(pattern.match(line) for line in lines), lines
        messages = [line.split(": ", 1)[1] for line in lines]
    base = f"http://{server.address}"
    for fact in (
        f"listening: {base}",
        f"GraphiQL: {base}/graphql",
        f"database: SQLite {db}",
        "Redis: off",
        "bridge: off",
        "private webhook URLs: refused (HOOKLINE_ALLOW_PRIVATE_URLS=1 allows them)",
    ):
        assert any(m.startswith(fact) for m in messages), (fact, messages)
    assert not any("Tortoise-ORM" in m for m in messages)


async def test_start_up_shows_postgresql_without_its_password(
    pg_database: PgDatabase, tmp_path: Path
) -> None:
    user_part, rest = pg_database.url.split("://", 1)[1].split("@", 1)
    user = user_part.split(":", 1)[0]
    url = f"postgres://{user}:not-shown-{uuid.uuid4().hex[:6]}@{rest}"  # trust auth ignores it
    log = tmp_path / "serve.log"
    async with HooklineProcess({"HOOKLINE_DATABASE_URL": url}, log):
        pass
    text = log.read_text()
    assert f"database: PostgreSQL postgres://{user}@{rest}" in text
    assert "not-shown" not in text
