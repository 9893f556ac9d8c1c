"""Read path: p50 of `todos` with a page of 100 against a page of 1, in the same run.

Each todo has an assignee, a tag, a custom value and a checklist; the query asks for them all.
Pages alternate, over the app in-process (httpx's ASGI transport, SQLite). Goal: p50 of 100
<= 4x p50 of 1.

    .venv/bin/python bench/bench_reads.py [--requests 300] [--full]
"""

import argparse
import statistics
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
QUERY = (
    "query($l:String!,$n:Int!){todos(todoListId:$l,take:$n){id title done position startedAt "
    "duedAt assigneeIds tagIds customFieldValues{customFieldId text number} "
    "todoList{id title}}}"
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
            times: dict[int, list[float]] = {1: [], 100: []}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers
            ) as client:
                for n in range(requests + 20):
                    for size in (1, 100) if n % 2 else (100, 1):
                        started = time.perf_counter()
                        response = await client.post(
                            "/graphql",
                            json={"query": QUERY, "variables": {"l": list_id, "n": size}},
                        )
                        elapsed = time.perf_counter() - started
                        body = response.json()
                        assert not body.get("errors"), body
                        assert len(body["data"]["todos"]) == size
                        if n >= 20:  # warm-up left out
                            times[size].append(elapsed)
    p50 = {size: percentile(values, 50) for size, values in times.items()}
    ratio = p50[100] / p50[1]
    print(f"todos page, SQLite, in-process, {requests} requests of each size")
    for size, values in times.items():
        mean = statistics.fmean(values) * 1000
        print(
            f"  page of {size:>3}: p50 {p50[size] * 1000:.2f} ms, "
            f"p99 {percentile(values, 99) * 1000:.2f} ms, mean {mean:.2f} ms"
        )
    print(f"ratio {ratio:.2f}x (goal <= {GOAL}x: {'met' if ratio <= GOAL else 'NOT met'})")


if __name__ == "__main__":
    uvloop.run(main())
