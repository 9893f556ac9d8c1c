"""Every failed delivery attempt is one WARNING with the webhook id, delivery id and reason."""

import asyncio
import logging

import pytest

from models.webhooks import Delivery, DeliveryStatus
from tests.conftest import Account, Client
from tests.receiver import Receiver
from tests.tracker import Tracker

CREATE = "mutation($u:String!){createWebhook(input:{url:$u,events:[TODO_CREATED]}){id}}"


async def test_a_failed_attempt_is_logged_with_its_ids_and_reason(
    gql: Client, owner: Account, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    webhook_id = (await gql(CREATE, {"u": receiver.url}))["createWebhook"]["id"]
    receiver.answer(500)  # then the default 200
    caplog.set_level(logging.WARNING, logger="hookline.recorder")
    await Tracker(gql, owner.project_id).todo()
    await receiver.wait_for(2)
    for _ in range(500):  # until the retry's success is recorded: the failure was before it
        if await Delivery.filter(webhook_id=webhook_id, status=DeliveryStatus.SUCCEEDED).exists():
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("the retry's success was never recorded")
    delivery = await Delivery.get(webhook_id=webhook_id)
    [record] = [r for r in caplog.records if getattr(r, "webhook_id", None) == webhook_id]
    assert record.levelno == logging.WARNING
    assert (record.delivery_id, record.attempt, record.reason) == (delivery.id, 1, "HTTP 500")
    message = record.getMessage()
    assert delivery.id in message and webhook_id in message and "HTTP 500" in message
