"""End to end: a mutation through GraphQL → a signed POST to a real receiver on 127.0.0.1."""

import asyncio
import hashlib
import hmac
import time
from typing import Any

import pytest
from standardwebhooks import Webhook as StandardWebhook

from events.log import Event
from models.accounts import User
from models.webhooks import Delivery, DeliveryAttempt
from tests.barriers import bridge_settled
from tests.conftest import Account, Client
from tests.receiver import Receiver
from tests.scenarios import SCENARIOS
from tests.tracker import READ, Tracker, create, member

DELIVERIES = (
    "query($w:String!,$s:DeliveryStatus){webhookDeliveries(webhookId:$w,status:$s){items{id "
    "event eventId messageId status attemptCount attempts{number statusCode error responseBody "
    "durationMs}} pageInfo{totalItems}}}"
)


def verify(secret: str, received: Any) -> None:
    """Both signature schemes, checked as a receiver would."""
    expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["X-Signature"], expected)
    StandardWebhook(secret).verify(received.body, received.headers)


def shape(value: Any) -> Any:
    """The structure of a JSON value: keys and kinds, not contents."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def same_shape(sample: Any, real: Any) -> bool:
    """Equal structure, where null or [] on either side may stand for any value."""
    if sample is None or real is None or sample == [] or real == []:
        return True
    if isinstance(sample, dict) and isinstance(real, dict):
        return sample.keys() == real.keys() and all(same_shape(sample[k], real[k]) for k in sample)
    if isinstance(sample, list) and isinstance(real, list):
        return same_shape(sample[0], real[0])
    return sample == real or {sample, real} <= {"int", "float"}


async def wait_until(predicate: Any, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not await predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("event", sorted(SCENARIOS))
async def test_every_event_is_delivered_signed(
    event: str, app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=[event])
    cursor = await Tracker(gql, owner.project_id).cursor()
    await SCENARIOS[event](Tracker(gql, owner.project_id), owner.user_id)
    expected = await Event.filter(project_id=owner.project_id, id__gt=cursor, type=event).order_by(
        "id"
    )
    assert expected
    received = await receiver.wait_for(len(expected))
    await bridge_settled(app)
    assert len(receiver.requests) == len(expected)  # nothing of other types
    sample = (await gql("query($e:WebhookEvent!){webhookSamplePayload(event:$e)}", {"e": event}))[
        "webhookSamplePayload"
    ]
    for stored, request in zip(
        expected, sorted(received, key=lambda r: int(r.json["eventId"])), strict=True
    ):
        verify(hook["secret"], request)
        body = request.json
        assert request.headers["X-Hookline-Event"] == event
        assert request.headers["User-Agent"].startswith("Hookline-Webhooks/")
        assert request.headers["webhook-id"] == f"msg_{stored.id}_{hook['id']}"
        assert body["event"] == event and body["eventId"] == str(stored.id)
        assert body["previousValue"] == stored.previous_value
        assert body["currentValue"] == stored.current_value
        # Blue's ids, unchanged; the names next to them are API.md §8's additions.
        assert body["company"] == {"id": owner.company_id, "name": "Acme"}
        assert body["project"] == {"id": owner.project_id, "name": "Web"}
        actor = await User.get(id=owner.user_id)
        assert body["user"] == {"id": owner.user_id, "name": actor.name, "email": actor.email}
        assert body["webhook"]["id"] == hook["id"] and body["webhook"]["secret"] == ""
        assert same_shape(shape(sample), shape(body)), (shape(sample), shape(body))


async def todo_created(gql: Client, owner: Account) -> str:
    return await Tracker(gql, owner.project_id).todo()


async def deliveries(gql: Client, webhook_id: str) -> list[dict[str, Any]]:
    return (await gql(DELIVERIES, {"w": webhook_id}))["webhookDeliveries"]["items"]


async def test_500_then_200_is_retried_with_the_same_id(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    receiver.answer(500)
    await todo_created(gql, owner)
    first, second = await receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    # The same event payload; only the webhook's own state (failure count) moved on.
    assert {**first.json, "webhook": None} == {**second.json, "webhook": None}
    verify(hook["secret"], second)

    async def recorded() -> bool:
        return (await deliveries(gql, hook["id"]))[0]["status"] == "SUCCEEDED"

    await wait_until(recorded)
    [delivery] = await deliveries(gql, hook["id"])
    assert delivery["attemptCount"] == 2
    assert [(a["number"], a["statusCode"]) for a in delivery["attempts"]] == [(1, 500), (2, 200)]
    assert delivery["attempts"][0]["error"] == "HTTP 500"
    assert delivery["attempts"][0]["responseBody"] == "nope"
    webhook = (await gql(READ, {"w": hook["id"]}))["webhook"]
    assert webhook["status"] == "HEALTHY" and webhook["consecutiveFailures"] == 0
    assert webhook["lastDeliveryAt"] is not None and webhook["lastFailureAt"] is not None

    # A manual redelivery of an event delivery: the same message, sent once more now.
    again = await gql(
        "mutation($d:String!){redeliverWebhookDelivery(input:{deliveryId:$d}){attemptCount}}",
        {"d": delivery["id"]},
    )
    assert again["redeliverWebhookDelivery"]["attemptCount"] == 3
    third = receiver.requests[2]
    assert third.headers["webhook-id"] == first.headers["webhook-id"]
    assert third.json["currentValue"] == second.json["currentValue"]
    verify(hook["secret"], third)


async def test_410_disables_at_once(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    receiver.answer(410)
    await todo_created(gql, owner)
    await receiver.wait_for(1)

    async def disabled() -> bool:
        return not (await gql(READ, {"w": hook["id"]}))["webhook"]["enabled"]

    await wait_until(disabled)
    webhook = (await gql(READ, {"w": hook["id"]}))["webhook"]
    assert webhook["status"] == "UNHEALTHY" and "410" in webhook["disabledReason"]
    [delivery] = await deliveries(gql, hook["id"])
    assert delivery["status"] == "FAILED" and delivery["attemptCount"] == 1
    await todo_created(gql, owner)
    await bridge_settled(app)
    assert len(receiver.requests) == 1  # a disabled webhook receives nothing more


async def test_exhausted_schedule_disables(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    receiver.default = (503, {}, 0.0)
    await todo_created(gql, owner)
    await receiver.wait_for(4)  # the test schedule has four attempts

    async def disabled() -> bool:
        return not (await gql(READ, {"w": hook["id"]}))["webhook"]["enabled"]

    await wait_until(disabled)
    webhook = (await gql(READ, {"w": hook["id"]}))["webhook"]
    assert webhook["status"] == "UNHEALTHY" and webhook["consecutiveFailures"] == 4
    assert "4 attempts" in webhook["disabledReason"]
    [delivery] = await deliveries(gql, hook["id"])
    assert delivery["status"] == "FAILED"
    assert [a["statusCode"] for a in delivery["attempts"]] == [503] * 4
    await bridge_settled(app)
    assert len(receiver.requests) == 4


async def test_unhealthy_after_consecutive_failures_then_healthy(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    for _ in range(3):
        receiver.answer(500)
    await todo_created(gql, owner)
    await receiver.wait_for(4)

    async def status_is(expected: str) -> Any:
        async def check() -> bool:
            return (await gql(READ, {"w": hook["id"]}))["webhook"]["status"] == expected

        return check

    await wait_until(await status_is("HEALTHY"))
    attempts = await DeliveryAttempt.filter(delivery__webhook_id=hook["id"]).order_by("id")
    assert [a.status_code for a in attempts] == [500, 500, 500, 200]


async def test_retry_after_is_honoured(gql: Client, owner: Account, receiver: Receiver) -> None:
    await create(gql, receiver.url, events=["TODO_CREATED"])
    receiver.answer(429, {"Retry-After": "1"})
    started = time.monotonic()
    await todo_created(gql, owner)
    await receiver.wait_for(1)
    first_at = time.monotonic()
    await receiver.wait_for(2)
    # The schedule says 0.2 s; the receiver asked for 1 s.
    assert time.monotonic() - first_at >= 0.9
    assert time.monotonic() - started < 5


async def test_a_retry_after_past_any_date_is_recorded_and_ignored(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    """A Retry-After date whose year overflows made the retry plan raise: the attempt could
    never be recorded, its delivery was POSTed again after every lease, and the recorder's
    back-off delayed every other webhook's records. The value is ignored like any bad one."""
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    receiver.answer(503, {"Retry-After": "Mon, 01 Jan 10000000000000000000 00:00:00 GMT"})
    await todo_created(gql, owner)
    first, second = await receiver.wait_for(2)  # retried on the schedule, not after a lease
    assert second.headers["webhook-id"] == first.headers["webhook-id"]

    async def recorded() -> bool:
        attempts = await DeliveryAttempt.filter(delivery__webhook_id=hook["id"]).order_by("id")
        return [a.status_code for a in attempts] == [503, 200]

    await wait_until(recorded)


async def test_redirects_are_failures_and_not_followed(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    receiver.answer(302, {"Location": receiver.url + "/elsewhere"})
    await todo_created(gql, owner)
    first, second = await receiver.wait_for(2)
    assert not first.headers.get("Host", "").endswith("elsewhere")
    attempts = await DeliveryAttempt.filter(delivery__webhook_id=hook["id"]).order_by("id")
    assert attempts[0].status_code == 302 and "not followed" in attempts[0].error
    assert second.headers["webhook-id"] == first.headers["webhook-id"]


async def test_hanging_endpoint_does_not_delay_others(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    slow = await Receiver().start()
    try:
        slow.default = (200, {}, 5.0)  # longer than the 1 s test timeout
        await create(gql, slow.url, events=["TODO_CREATED"])
        await create(gql, receiver.url, events=["TODO_CREATED"])
        latencies = []
        for n in range(1, 11):
            sent = time.monotonic()
            await todo_created(gql, owner)
            await receiver.wait_for(n)
            latencies.append(time.monotonic() - sent)
        # Queued behind the slow endpoint, each would wait at least its 1 s timeout.
        assert max(latencies) < 1.0, latencies
        await slow.wait_for(10)  # the slow one was tried (and timed out) meanwhile

        async def timed_out() -> bool:
            return await DeliveryAttempt.filter(
                delivery__webhook__url=slow.url, error__contains="timed out"
            ).exists()

        await wait_until(timed_out)
    finally:
        await slow.stop()


async def test_filters_narrow_the_records(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    tracker = Tracker(gql, owner.project_id)
    tag = await tracker.tag("vip")
    await create(gql, receiver.url, events=["TODO_CREATED"], filters={"tagIds": [tag]})
    await tracker.todo(title="plain")
    await tracker.todo(title="tagged", tagIds=[tag])
    [received] = await receiver.wait_for(1)
    await bridge_settled(app)
    assert len(receiver.requests) == 1 and received.json["currentValue"]["title"] == "tagged"


async def test_removed_creator_stops_receiving(
    app: Any, gql: Client, owner: Account, receiver: Receiver
) -> None:
    admin = await member(gql, owner, "ADMIN")
    admin.company = owner.company_id
    await create(admin, receiver.url, events=["TODO_CREATED"], projectIds=[owner.project_id])
    await todo_created(gql, owner)
    await receiver.wait_for(1)
    admin_id = (await admin("{currentUser{id}}"))["currentUser"]["id"]
    await gql(
        "mutation($p:String!,$u:String!){removeProjectMember(input:{projectId:$p,userId:$u}){success}}",
        {"p": owner.project_id, "u": admin_id},
    )
    await todo_created(gql, owner)
    await bridge_settled(app)
    assert len(receiver.requests) == 1


async def test_rotation_signs_with_both_secrets(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    rotated = await gql(
        "mutation($w:String!){rotateWebhookSecret(input:{webhookId:$w}){secret}}", {"w": hook["id"]}
    )
    new_secret = rotated["rotateWebhookSecret"]["secret"]
    await todo_created(gql, owner)
    [received] = await receiver.wait_for(1)
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    StandardWebhook(hook["secret"]).verify(received.body, received.headers)  # old still valid
    verify(new_secret, received)


async def test_test_redeliver_and_recover(gql: Client, owner: Account, receiver: Receiver) -> None:
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    tested = await gql(
        "mutation($w:String!){testWebhook(input:{webhookId:$w,event:COMMENT_CREATED}){id event "
        "status attempts{statusCode}}}",
        {"w": hook["id"]},
    )
    assert tested["testWebhook"]["status"] == "SUCCEEDED"
    assert tested["testWebhook"]["attempts"] == [{"statusCode": 200}]
    assert receiver.requests[-1].json["event"] == "COMMENT_CREATED"
    verify(hook["secret"], receiver.requests[-1])

    redelivered = await gql(
        "mutation($d:String!){redeliverWebhookDelivery(input:{deliveryId:$d}){attemptCount "
        "attempts{number}}}",
        {"d": tested["testWebhook"]["id"]},
    )
    assert redelivered["redeliverWebhookDelivery"]["attempts"] == [{"number": 1}, {"number": 2}]
    assert (
        receiver.requests[-1].headers["webhook-id"] == receiver.requests[-2].headers["webhook-id"]
    )

    # A delivery that failed for good is re-queued by recoverWebhook and then delivered.
    receiver.default = (500, {}, 0.0)
    await todo_created(gql, owner)
    failed_count = len(receiver.requests) + 4
    await receiver.wait_for(failed_count)

    async def failed() -> bool:
        return await Delivery.filter(webhook_id=hook["id"], status="FAILED").exists()

    await wait_until(failed)
    await gql(
        "mutation($w:String!){updateWebhook(input:{webhookId:$w,enabled:true}){enabled}}",
        {"w": hook["id"]},
    )  # the health check fails too: still disabled
    refused = await gql.error(
        "mutation($w:String!,$s:DateTime!){recoverWebhook(input:{webhookId:$w,since:$s})}",
        {"w": hook["id"], "s": "2000-01-01T00:00:00Z"},
    )
    assert refused["extensions"]["code"] == "BAD_USER_INPUT" and "Enable" in refused["message"]
    receiver.default = (200, {}, 0.0)
    enabled = await gql(
        "mutation($w:String!){updateWebhook(input:{webhookId:$w,enabled:true}){enabled}}",
        {"w": hook["id"]},
    )
    assert enabled["updateWebhook"]["enabled"] is True
    count = await gql(
        "mutation($w:String!,$s:DateTime!){recoverWebhook(input:{webhookId:$w,since:$s})}",
        {"w": hook["id"], "s": "2000-01-01T00:00:00Z"},
    )
    assert count["recoverWebhook"] == 1  # the event delivery, not the failed health check

    async def delivered() -> bool:
        return not await Delivery.filter(
            webhook_id=hook["id"], event="TODO_CREATED", status__in=["FAILED", "PENDING"]
        ).exists()

    await wait_until(delivered)
    assert receiver.requests[-1].json["event"] == "TODO_CREATED"


async def test_redelivering_a_pending_delivery_keeps_its_retries(
    gql: Client, owner: Account, receiver: Receiver
) -> None:
    hook = await create(gql, receiver.url, events=["TODO_CREATED"])
    receiver.default = (500, {}, 0.0)
    await todo_created(gql, owner)
    await receiver.wait_for(1)
    [delivery] = await deliveries(gql, hook["id"])
    again = await gql(
        "mutation($d:String!){redeliverWebhookDelivery(input:{deliveryId:$d}){status}}",
        {"d": delivery["id"]},
    )
    # Brought forward, not turned into a one-off: a failure now does not end its schedule.
    assert again["redeliverWebhookDelivery"]["status"] == "PENDING"
    await receiver.wait_for(4)  # the four attempts of the test schedule still happen
