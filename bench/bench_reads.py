"""Read path: p50 of `todos` with a page of 100 against a page of 1, in the same run.

Each todo has an assignee, a tag, a custom value and a checklist; the query (QUERY) asks for a
todo with its assignees, tags and custom values, and a second (WIDE, for information) for
every field of a todo. Pages alternate, over the app in-process (httpx's ASGI
transport, SQLite). Goal: p50 of 100 <= 4x p50 of 1, for QUERY.

    .venv/bin/python bench/bench_reads.py [--requests 300] [--full]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile
from hookline.accounts import bootstrap
from hookline.app import build_app
from hookline.settings import Settings
from models.accounts import User
from models.tracker import (
    Checklist,
    ChecklistItem,
    CustomField,
    CustomFieldType,
    Tag,
    Todo,
    TodoCustomField,
    TodoList,
    TodoTag,
    TodoUser,
)

GOAL = 4.0
# What issue 14 names: each todo with its assignees, tags and custom values (the goal's).
QUERY = (
    "query($l:String!,$n:Int!){todos(todoListId:$l,take:$n){id title done assigneeIds tagIds "
    "customFieldValues{customFieldId text}}}"
)
# Every short field of a todo (its list and long texts would pass the cost budget): for
# information, as GraphQL's own share grows with every field.
WIDE = (
    "query($l:String!,$n:Int!){todos(todoListId:$l,take:$n){id title done position "
    "startedAt duedAt todoListId createdById createdAt updatedAt assigneeIds tagIds "
    "customFieldValues{id customFieldId text number checked customFieldOptionId}}}"
)


async def seed(count: int) -> tuple[str, str]:
    """A list of `count` full todos; returns (token, list id)."""
    made = await bootstrap("Reads", "reads@bench.test", "Work")
    user = await User.get(id=made["userId"])
    todo_list = await TodoList.create(project_id=made["projectId"], title="Backlog")
    tag = await Tag.create(project_id=made["projectId"], title="urgent", color="red")
    field = await CustomField.create(
        project_id=made["projectId"], name="Budget", type=CustomFieldType.TEXT_SINGLE
    )
    todos = [Todo(todo_list_id=todo_list.id, title=f"todo {n}", position=n) for n in range(count)]
    await Todo.bulk_create(todos)
    await TodoUser.bulk_create([TodoUser(todo_id=t.id, user_id=user.id) for t in todos])
    await TodoTag.bulk_create([TodoTag(todo_id=t.id, tag_id=tag.id) for t in todos])
    await TodoCustomField.bulk_create(
        [TodoCustomField(todo_id=t.id, custom_field_id=field.id, text="x") for t in todos]
    )
    checklists = [Checklist(todo_id=t.id, title="Steps") for t in todos]
    await Checklist.bulk_create(checklists)
    await ChecklistItem.bulk_create(
        [ChecklistItem(checklist_id=c.id, title="one") for c in checklists]
    )
    return str(made["token"]), todo_list.id


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="of each page size")
    parser.add_argument("--full", action="store_true", help="1,000 of each")
    args = parser.parse_args()
    requests = 1000 if args.full else args.requests
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite://{tmp}/reads.db", allow_private_urls=True)
        app = build_app(settings, run_bridge=False)
        async with app.router.lifespan_context(app):
            token, list_id = await seed(100)
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {token}"}
            times: dict[tuple[str, int], list[float]] = {}
            cpu: dict[tuple[str, int], list[float]] = {}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers
            ) as client:
                for n in range(requests + 20):
                    for shape, query in (("issue", QUERY), ("wide", WIDE)):
                        for size in (1, 100) if n % 2 else (100, 1):
                            started, used = time.perf_counter(), time.process_time()
                            response = await client.post(
                                "/graphql",
                                json={"query": query, "variables": {"l": list_id, "n": size}},
                            )
                            elapsed = time.perf_counter() - started
                            used = time.process_time() - used
                            body = response.json()
                            assert not body.get("errors"), body
                            assert len(body["data"]["todos"]) == size
                            if n >= 20:  # warm-up left out
                                times.setdefault((shape, size), []).append(elapsed)
                                cpu.setdefault((shape, size), []).append(used)
    p50 = {key: percentile(values, 50) for key, values in times.items()}
    cpu_p50 = {key: percentile(values, 50) for key, values in cpu.items()}
    print(f"todos page, SQLite, in-process, {requests} requests of each size and shape")
    for shape in ("issue", "wide"):
        for size in (1, 100):
            values = times[shape, size]
            print(
                f"  {shape:<5} page of {size:>3}: p50 {p50[shape, size] * 1000:.2f} ms, "
                f"p99 {percentile(values, 99) * 1000:.2f} ms "
                f"(CPU p50 {cpu_p50[shape, size] * 1000:.2f} ms)"
            )
    wide = p50["wide", 100] / p50["wide", 1]
    print(f"  wide query (every field, for information): {wide:.2f}x")
    ratio = p50["issue", 100] / p50["issue", 1]
    print(f"ratio {ratio:.2f}x (goal <= {GOAL}x: {'met' if ratio <= GOAL else 'NOT met'})")


if __name__ == "__main__":
    uvloop.run(main())
