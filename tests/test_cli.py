"""The operator interface: bootstrap, tokens, migrate and serve, run as real processes."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HOOKLINE = [sys.executable, "-m", "hookline.cli"]


def run(args: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOOKLINE_DATABASE_URL": f"sqlite://{db}"}
    return subprocess.run(HOOKLINE + args, capture_output=True, text=True, env=env, timeout=60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


def test_bootstrap_prints_the_documented_json(db: Path) -> None:
    result = run(
        ["bootstrap", "--company", "Acme", "--email", "a@acme.test", "--project", "Web"], db
    )
    assert result.returncode == 0, result.stderr
    made = json.loads(result.stdout)
    assert set(made) == {"companyId", "projectId", "userId", "tokenId", "tokenSecret", "token"}
    assert made["token"] == f"{made['tokenId']}.{made['tokenSecret']}"
    again = json.loads(run(["token", "create", "--email", "a@acme.test"], db).stdout)
    assert again["userId"] == made["userId"] and again["token"] != made["token"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "create", "--email", "nobody@acme.test"], "no user"),
        (["bootstrap", "--company", "Acme", "--email", "not-an-email"], "not an email"),
        (["bootstrap", "--company", " ", "--email", "a@acme.test"], "company name"),
    ],
)
def test_bad_input_exits_non_zero_with_a_message(db: Path, args: list[str], message: str) -> None:
    result = run(args, db)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_bad_setting_is_reported(db: Path) -> None:
    env = {
        **os.environ,
        "HOOKLINE_DATABASE_URL": f"sqlite://{db}",
        "HOOKLINE_RETRY_SCHEDULE": "1,x",
    }
    result = subprocess.run([*HOOKLINE, "migrate"], capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "HOOKLINE_RETRY_SCHEDULE" in result.stderr


def test_migrate_is_idempotent(db: Path) -> None:
    assert run(["migrate"], db).returncode == 0
    assert run(["migrate"], db).returncode == 0


@pytest.fixture
def server(db: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "HOOKLINE_DATABASE_URL": f"sqlite://{db}"}
    log = (db.parent / "serve.log").open("w")
    process = subprocess.Popen(
        [*HOOKLINE, "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_serve_then_create_and_read_a_todo(server: str, db: Path) -> None:
    made = json.loads(
        run(
            ["bootstrap", "--company", "Acme", "--email", "a@acme.test", "--project", "Web"], db
        ).stdout
    )
    headers = {"Authorization": f"Bearer {made['token']}"}

    def gql(query: str) -> dict:
        body = httpx.post(f"{server}/graphql", json={"query": query}, headers=headers).json()
        assert "errors" not in body, body
        return body["data"]

    list_id = gql(
        f'mutation{{createTodoList(input:{{projectId:"{made["projectId"]}",title:"Backlog"}}){{id}}}}'
    )["createTodoList"]["id"]
    todo_id = gql(
        f'mutation{{createTodo(input:{{todoListId:"{list_id}",title:"Ship it"}}){{id}}}}'
    )["createTodo"]["id"]
    todo = gql(f'{{todo(id:"{todo_id}"){{id title todoList{{id}}}}}}')["todo"]
    assert todo == {"id": todo_id, "title": "Ship it", "todoList": {"id": list_id}}
    assert httpx.get(f"{server}/readyz").json()["ready"] is True
    assert (
        "text/html"
        in httpx.get(f"{server}/graphql", headers={"Accept": "text/html"}).headers["content-type"]
    )
