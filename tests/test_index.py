"""The bridge's webhook index notices webhooks saved by another process before matching."""

from datetime import UTC, datetime

from bridge.index import WebhookIndex
from models.webhooks import Webhook, bump_routing_version
from tests.conftest import Account


async def saved_elsewhere(owner: Account) -> Webhook:
    """A webhook saved as another API process would: no announcement reaches us."""
    webhook = await Webhook.create(
        company_id=owner.company_id,
        created_by_id=owner.user_id,
        url="http://127.0.0.1:9/",
        secret="whsec_x",
        events=["TAG_CREATED"],
        project_ids=[],
    )
    await bump_routing_version()
    return webhook


def match(index: WebhookIndex, owner: Account) -> list[str]:
    return [
        w.id
        for w in index.match(
            event="TAG_CREATED",
            company_id=owner.company_id,
            project_id=owner.project_id,
            created_at=datetime.now(UTC),
            previous=None,
            current={"id": "t"},
        )
    ]


async def test_version_check_sees_a_webhook_saved_elsewhere(owner: Account) -> None:
    index = WebhookIndex(check_version=True)
    await index.refresh()
    webhook = await saved_elsewhere(owner)
    await index.refresh()
    assert match(index, owner) == [webhook.id]


async def test_without_the_check_the_index_is_stale(owner: Account) -> None:
    index = WebhookIndex(check_version=False)
    await index.refresh()
    await saved_elsewhere(owner)
    await index.refresh()
    assert match(index, owner) == []  # until an announcement or FULL_RELOAD


async def test_a_named_change_reloads_only_that_webhook(owner: Account) -> None:
    index = WebhookIndex(check_version=True)
    kept = await saved_elsewhere(owner)
    changed = await saved_elsewhere(owner)
    await index.refresh()
    assert sorted(match(index, owner)) == sorted([kept.id, changed.id])
    # Changed without a bump: a full reload would see it, an incremental one does not.
    await Webhook.filter(id=kept.id).update(events=["TAG_DELETED"])
    await Webhook.filter(id=changed.id).delete()
    await bump_routing_version(webhook_ids=[changed.id])
    await index.refresh()
    assert match(index, owner) == [kept.id]
    added = await Webhook.create(
        company_id=owner.company_id,
        created_by_id=owner.user_id,
        url="http://127.0.0.1:9/",
        secret="whsec_x",
        events=[],  # every event
        project_ids=[],
    )
    await bump_routing_version(webhook_ids=[added.id])
    await index.refresh()
    assert sorted(match(index, owner)) == sorted([kept.id, added.id])
