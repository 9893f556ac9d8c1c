"""Property-based fuzzing of every Query and Mutation field (issue 9), on each backend.

Whatever a client sends, the answer is a 4xx or GraphQL errors that each carry a code: never an
HTTP 5xx, never INTERNAL_SERVER_ERROR. `make fuzz` raises the number of operations with
HOOKLINE_FUZZ_EXAMPLES (and draws new ones each run); CI runs a fixed, smaller set.
"""

import asyncio
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import DocumentNode
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from schema.root import schema
from tests.conftest import Account, Client, new_account
from tests.fuzzing import as_variables, operations, request_body, with_real_values
from tests.receiver import Receiver
from tests.tracker import Tracker

EXAMPLES = int(os.environ.get("HOOKLINE_FUZZ_EXAMPLES") or 600)
WORLD_EVERY = 40  # build fresh rows this often, so deletions do not leave only unknown ids

GRAPHQL_SCHEMA = schema._schema  # graphql-core's schema, which hypothesis-graphql reads


async def world(http: httpx.AsyncClient, receiver: Receiver) -> tuple[Client, dict[str, list[str]]]:
    """A company with one row of every kind, and the ids of each kind."""
    account: Account = await new_account("Fuzz")
    gql = Client(http, account.token, account.company_id)
    tracker = Tracker(gql, account.project_id)
    list_id = await tracker.todo_list()
    tag = await tracker.tag()
    todo = await tracker.todo(list_id, tagIds=[tag])
    checklist = await tracker.checklist(todo)
    fields = {t: await tracker.custom_field(t) for t in ("TEXT_SINGLE", "NUMBER", "CHECKBOX")}
    select = await tracker.custom_field("SELECT_SINGLE", "Stage")
    option = await gql(
        'mutation($f:String!){createCustomFieldOption(input:{customFieldId:$f,title:"A"})'
        "{options{id}}}",
        {"f": select},
    )
    member = await gql(
        "mutation($p:String!){addProjectMember(input:"
        '{projectId:$p,email:"member@fuzz.test",level:MEMBER}){id}}',
        {"p": account.project_id},
    )
    hook = await tracker.webhook(receiver.url)
    delivery = await gql("mutation($w:String!){testWebhook(input:{webhookId:$w}){id}}", {"w": hook})
    return gql, {
        "company": [account.company_id],
        "project": [account.project_id],
        "todoList": [list_id],
        "todo": [todo],
        "tag": [tag],
        "comment": [await tracker.comment(todo)],
        "checklist": [checklist],
        "checklistItem": [await tracker.item(checklist)],
        "customField": [*fields.values(), select],
        "customFieldOption": [o["id"] for o in option["createCustomFieldOption"]["options"]],
        "user": [account.user_id, member["addProjectMember"]["id"]],
        "webhook": [hook],
        "delivery": [delivery["testWebhook"]["id"]],
    }


def problems(status: int, body: Any) -> list[str]:
    """What is wrong with an answer: a 5xx, an internal error, an error without a code."""
    found = []
    if status >= 500:
        found.append(f"HTTP {status}")
    for error in (body.get("errors") or []) if isinstance(body, dict) else []:
        code = (error.get("extensions") or {}).get("code")
        if code is None:
            found.append(f"no code: {error.get('message')}")
        elif code == "INTERNAL_SERVER_ERROR":
            found.append(f"INTERNAL_SERVER_ERROR at {error.get('path')}")
    return found


@pytest.fixture(scope="module")
def counts(database_url: str) -> Iterator[Counter[str]]:
    tally: Counter[str] = Counter()
    yield tally
    backend = "postgres" if database_url.startswith("postgres") else "sqlite"
    print(
        f"\nfuzz[{backend}]: {tally['operations']} operations, {tally['5xx']} HTTP 5xx, "
        f"{tally['internal']} INTERNAL_SERVER_ERROR, {tally['uncoded']} errors without a code; "
        f"{tally['fields']} root fields, {tally['real ids']} real ids sent, "
        f"{tally['ok']} answered with data, {tally['refused']} refused"
    )
    codes = {k.removeprefix("code "): n for k, n in tally.most_common() if k.startswith("code ")}
    print(f"fuzz[{backend}] error codes: {codes}")


@pytest.mark.timeout(3600)
async def test_no_input_breaks_the_api(
    http: httpx.AsyncClient, receiver: Receiver, counts: Counter[str]
) -> None:
    loop = asyncio.get_running_loop()

    def run(coroutine: Any) -> Any:
        """Run on the test's loop, where the app lives; hypothesis runs in a worker thread."""
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

    state: dict[str, Any] = {}

    async def send(body: bytes, token: str | None, company: str) -> tuple[int, Any]:
        headers = {"content-type": "application/json", "X-Bloo-Company-ID": company}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await http.post("/graphql", content=body, headers=headers)
        return response.status_code, response.json()

    def fuzz(documents: st.SearchStrategy[DocumentNode], examples: int) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize="HOOKLINE_FUZZ_EXAMPLES" not in os.environ,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def one_field(data: st.DataObject) -> None:
            if counts["operations"] % WORLD_EVERY == 0 or "ids" not in state:
                state["gql"], state["ids"] = run(world(http, receiver))
            gql: Client = state["gql"]
            document, real_ids = with_real_values(data.draw(documents), data.draw, state["ids"])
            variables: dict[str, Any] = {}
            if data.draw(st.booleans()):
                document, variables = as_variables(document, GRAPHQL_SCHEMA)
            # One in twenty anonymous (not at a boundary: hypothesis favours those).
            token = None if data.draw(st.integers(0, 19)) == 13 else gql.token
            body = request_body(document, variables)
            note(body.decode())
            status, answer = run(send(body, token, gql.company or ""))
            counts["operations"] += 1
            counts["real ids"] += real_ids
            counts["5xx"] += status >= 500
            found = problems(status, answer)
            counts["internal"] += sum("INTERNAL_SERVER_ERROR" in p for p in found)
            counts["uncoded"] += sum(p.startswith("no code") for p in found)
            counts["refused" if status >= 400 or answer.get("errors") else "ok"] += 1
            for error in answer.get("errors") or []:
                counts[f"code {(error.get('extensions') or {}).get('code')}"] += 1
            assert not found, (found, answer)

        one_field()

    by_field = operations(GRAPHQL_SCHEMA)
    for documents in by_field.values():
        before = counts["operations"]
        await asyncio.to_thread(fuzz, documents, max(1, EXAMPLES // len(by_field)))
        counts["fields"] += counts["operations"] > before
