"""The delivery log the portal browses: keyset pages in both directions, filters, and each
attempt's request exactly as the receiver got it."""

from datetime import UTC, datetime, timedelta
from typing import Any

from standardwebhooks import Webhook as StandardWebhook

from bridge import retention
from events.log import Event
from models.ids import new_id
from models.webhooks import Delivery, DeliveryAttempt, DeliveryStatus, SentWebhookRow
from tests.barriers import bridge_settled
from tests.conftest import Account, Client, new_account
from tests.receiver import Receiver
from tests.tracker import READ, UPDATE, Tracker, create

LOG = (
    "query($w:String!,$f:DeliveryLogFilter,$a:String,$b:String,$t:Int){webhookDeliveryLog("
    "webhookId:$w,filter:$f,after:$a,before:$b,take:$t){items{id event status createdAt} "
    "startCursor endCursor hasNextPage hasPreviousPage}}"
)
ONE = (
    "query($d:String!){webhookDelivery(id:$d){id event status messageId attempts{number "
    "statusCode responseBody requestHeaders requestBody}}}"
)
T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


async def seed(webhook_id: str, count: int) -> list[Delivery]:
    """`count` deliveries, three per timestamp (ties are ordered by id), mixed states and
    events; returned newest first, the log's order."""
    statuses = [DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.PENDING]
    rows = [
        Delivery(
            id=new_id(),
            webhook_id=webhook_id,
            event="TODO_CREATED" if n % 4 else "COMMENT_CREATED",
            message_id=f"msg_{new_id()}",
            status=statuses[n % 3],
            created_at=T0 + timedelta(seconds=n // 3),
        )
        for n in range(count)
    ]
    await Delivery.bulk_create(rows)
    return sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)


async def page(gql: Client, hook: str, **args: Any) -> dict[str, Any]:
    variables = {"w": hook, "f": args.get("filter"), "a": args.get("after")}
    variables |= {"b": args.get("before"), "t": args.get("take", 10)}
    return (await gql(LOG, variables))["webhookDeliveryLog"]


async def test_pages_follow_cursors_both_ways(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = (await create(gql, receiver.url))["id"]
    expected = [r.id for r in await seed(hook, 45)]
    pages, cursor = [], None
    while True:
        found = await page(gql, hook, after=cursor)
        pages.append(found)
        assert found["hasPreviousPage"] is (cursor is not None)
        cursor = found["endCursor"]
        if not found["hasNextPage"]:
            break
    assert [len(p["items"]) for p in pages] == [10, 10, 10, 10, 5]
    assert [d["id"] for p in pages for d in p["items"]] == expected
    # Back up from the fourth page: the third again, then the second, with the same flags.
    third = await page(gql, hook, before=pages[3]["startCursor"])
    assert third == pages[2]
    assert await page(gql, hook, before=third["startCursor"]) == pages[1]
    first = await page(gql, hook, before=pages[1]["startCursor"])
    assert first == pages[0] and first["hasPreviousPage"] is False
    # Past either end: empty pages that still point the way back.
    end = await page(gql, hook, after=pages[-1]["endCursor"])
    assert end["items"] == [] and end["hasPreviousPage"] and not end["hasNextPage"]


async def test_filters_by_status_event_and_time(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = (await create(gql, receiver.url))["id"]
    rows = await seed(hook, 30)
    failed = {"status": "FAILED"}
    found = await page(gql, hook, filter=failed, take=100)
    assert [d["id"] for d in found["items"]] == [r.id for r in rows if r.status == "FAILED"]
    comments = {"event": "COMMENT_CREATED", "from": (T0 + timedelta(seconds=3)).isoformat()}
    found = await page(gql, hook, filter=comments, take=3)
    wanted = [
        r.id for r in rows if r.event == "COMMENT_CREATED" and r.created_at >= comments_from(3)
    ]
    assert [d["id"] for d in found["items"]] == wanted[:3] and found["hasNextPage"]
    rest = await page(gql, hook, filter=comments, after=found["endCursor"], take=100)
    assert [d["id"] for d in rest["items"]] == wanted[3:]
    window = {"from": comments_from(2).isoformat(), "to": comments_from(4).isoformat()}
    found = await page(gql, hook, filter=window, take=100)
    assert sorted(d["id"] for d in found["items"]) == sorted(
        r.id for r in rows if comments_from(2) <= r.created_at < comments_from(4)
    )
    for bad, field in [
        ({"filter": {"event": "NOPE"}}, "filter.event"),
        ({"after": "not a cursor!"}, "after"),
        ({"take": 0}, "take"),
    ]:
        variables = {"w": hook, "f": bad.get("filter"), "a": bad.get("after")}
        error = await gql.error(LOG, variables | {"t": bad.get("take", 10)})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, bad


def comments_from(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_attempts_show_the_request_exactly_as_received(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    made = await create(gql, receiver.url, events=["TODO_CREATED"])
    tracker = Tracker(gql, owner.project_id)
    receiver.answer(500)  # the first attempt fails, the retry succeeds
    await tracker.todo(title="First")
    [first, retry] = await receiver.wait_for(2)
    await bridge_settled(app)
    # The webhook changes after it: its row in later bodies differs, not in these.
    await gql(UPDATE, {"i": {"webhookId": made["id"], "name": "Renamed"}})
    [delivery] = (await page(gql, made["id"]))["items"]
    shown = (await gql(ONE, {"d": delivery["id"]}))["webhookDelivery"]
    assert [a["statusCode"] for a in shown["attempts"]] == [500, 200]
    assert shown["attempts"][0]["responseBody"] == "nope"
    for attempt, received in zip(shown["attempts"], [first, retry], strict=True):
        assert attempt["requestBody"].encode() == received.body
        headers = attempt["requestHeaders"]
        assert {k: received.headers[k] for k in headers} == headers
        assert set(headers) >= {"X-Signature", "webhook-signature", "webhook-timestamp"}
        StandardWebhook(made["secret"]).verify(attempt["requestBody"], headers)
    # The retry's body carries the webhook's health after the failure: not the first body.
    assert first.body != retry.body and first.json["webhook"]["consecutiveFailures"] == 0

    test = "mutation($w:String!){testWebhook(input:{webhookId:$w}){id}}"
    tested = (await gql(test, {"w": made["id"]}))["testWebhook"]["id"]
    [attempt] = (await gql(ONE, {"d": tested}))["webhookDelivery"]["attempts"]
    assert attempt["requestBody"].encode() == receiver.requests[-1].body

    # Past the event retention the body cannot be rebuilt: null, never a guess.
    await Event.filter(id=int(first.json["eventId"])).delete()
    shown = (await gql(ONE, {"d": delivery["id"]}))["webhookDelivery"]
    assert [a["requestBody"] for a in shown["attempts"]] == [None, None]
    assert shown["attempts"][0]["requestHeaders"] is not None


async def test_one_delivery_answers_a_stranger_as_its_webhook_does(
    gql: Client, owner: Account, receiver: Receiver, http: Any
) -> None:
    hook = (await create(gql, receiver.url))["id"]
    [row] = await seed(hook, 1)
    stranger = await new_account("Other")
    outsider = Client(http, stranger.token, stranger.company_id)
    error = await outsider.error(ONE, {"d": row.id})
    # As the webhook itself answers the stranger (webhook_rules.own), naming the delivery.
    webhook_error = await outsider.error(READ, {"w": hook})
    code = webhook_error["extensions"]["code"].replace("WEBHOOK_", "WEBHOOK_DELIVERY_")
    assert error["extensions"]["code"] == code
    missing = await gql.error(ONE, {"d": "nope"})
    assert missing["extensions"]["code"] == "WEBHOOK_DELIVERY_NOT_FOUND"


async def test_webhook_row_versions_go_with_the_deliveries_that_used_them(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    made = await create(gql, receiver.url, events=["TODO_CREATED"])
    await Tracker(gql, owner.project_id).todo(title="Kept, then purged")
    await receiver.wait_for(1)
    await bridge_settled(app)
    [attempt] = await DeliveryAttempt.filter(webhook_id=made["id"])
    row = await SentWebhookRow.get(sha256=attempt.webhook_row_sha256)
    assert row.webhook_id == made["id"] and '"secret":""' in row.row
    # 40 days on, past the 30-day retention: the delivery, its attempt and the version go.
    old = datetime.now(UTC) - timedelta(days=40)
    await Delivery.filter(webhook_id=made["id"]).update(created_at=old)
    await SentWebhookRow.filter(sha256=row.sha256).update(last_used_at=old)
    await retention.purge_deliveries(30)
    assert not await Delivery.filter(webhook_id=made["id"]).exists()
    assert not await DeliveryAttempt.filter(webhook_id=made["id"]).exists()
    assert not await SentWebhookRow.filter(sha256=row.sha256).exists()
