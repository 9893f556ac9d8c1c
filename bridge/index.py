"""Which enabled webhooks an event reaches: an in-memory index, rebuilt when webhooks or
access change (and at least every few seconds, in case an announcement is lost)."""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.filters import passes
from models import access
from models.webhooks import Webhook, routing_version

MAX_AGE = 5.0


@dataclass(frozen=True)
class Target:
    webhook: Webhook
    company_id: str
    creator_id: str
    events: frozenset[str]
    project_ids: frozenset[str]
    filters: dict[str, list[str]] | None
    created_at: datetime

    def wants(self, event: str, project_id: str) -> bool:
        return (not self.events or event in self.events) and (
            not self.project_ids or project_id in self.project_ids
        )


class WebhookIndex:
    def __init__(self, check_version: bool = False) -> None:
        """check_version: webhooks change in other processes, whose announcements may come
        after events that follow the change; compare the stored version before matching."""
        self._targets: dict[str, list[Target]] = {}  # by company
        self._coverage: dict[str, access.Coverage] = {}  # by creator
        self._loaded_at = float("-inf")
        self._check_version = check_version
        self._version = -1

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    async def _load(self) -> None:
        targets: dict[str, list[Target]] = defaultdict(list)
        for w in await Webhook.filter(enabled=True):
            targets[w.company_id].append(
                Target(
                    webhook=w,
                    company_id=w.company_id,
                    creator_id=w.created_by_id,
                    events=frozenset(w.events),
                    project_ids=frozenset(w.project_ids),
                    filters=w.filters or None,
                    created_at=w.created_at,
                )
            )
        creators = {t.creator_id for ts in targets.values() for t in ts}
        self._coverage = await access.coverages(creators)
        self._targets = dict(targets)
        self._loaded_at = time.monotonic()

    async def refresh(self) -> None:
        """Reload if webhooks changed or the index is old; call before matching a batch."""
        if self._check_version:
            version = await routing_version()
            if version != self._version:
                self._version = version
                self.invalidate()
        if time.monotonic() - self._loaded_at > MAX_AGE:
            await self._load()

    def _covers(self, creator_id: str, company_id: str, project_id: str) -> bool:
        """The creator may read the project (models.access), as of the last load."""
        found = self._coverage.get(creator_id)
        return found is not None and found.covers(company_id, project_id)

    def match(
        self,
        *,
        event: str,
        company_id: str,
        project_id: str,
        created_at: datetime,
        previous: Any,
        current: Any,
    ) -> list[Webhook]:
        """The webhooks this event goes to."""
        return [
            t.webhook
            for t in self._targets.get(company_id, ())
            if t.wants(event, project_id)
            and t.created_at <= created_at
            and self._covers(t.creator_id, company_id, project_id)
            and passes(t.filters, previous, current)
        ]
