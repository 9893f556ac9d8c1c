"""Which enabled webhooks an event reaches: an in-memory index by company and event type,
kept up to date by reading only what changed.

Every change to webhooks or access bumps the stored routing version and records what it
changed (models.webhooks.routing_changes): the index reloads just those webhooks, or everyone's
access, and reads everything again only when a change is unknown, or every FULL_RELOAD seconds
in case a change was committed without its bump (a crash between the two).
"""

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.filters import passes
from models import access
from models.webhooks import Webhook, routing_changes, routing_version

FULL_RELOAD = 300.0
ANY_EVENT = ""  # the route of webhooks that take every event


@dataclass(frozen=True)
class Target:
    webhook: Webhook
    company_id: str
    creator_id: str
    events: frozenset[str]
    project_ids: frozenset[str]
    filters: dict[str, list[str]] | None
    created_at: datetime

    @classmethod
    def of(cls, w: Webhook) -> "Target":
        return cls(
            webhook=w,
            company_id=w.company_id,
            creator_id=w.created_by_id,
            events=frozenset(w.events),
            project_ids=frozenset(w.project_ids),
            filters=w.filters or None,
            created_at=w.created_at,
        )


class WebhookIndex:
    def __init__(self, check_version: bool = False) -> None:
        """check_version: webhooks change in other processes, whose announcements may come
        after events that follow the change; compare the stored version before matching."""
        self._targets: dict[str, Target] = {}  # by webhook id
        self._routes: dict[str, dict[str, list[Target]]] = {}  # company → event type → targets
        self._coverage: dict[str, access.Coverage] = {}  # by creator
        self._loaded_at = float("-inf")
        self._check_version = check_version
        self._version = -1
        self._stale = True  # an announcement said something changed

    def invalidate(self) -> None:
        """Something changed (an announcement): read what, before the next match."""
        self._stale = True

    async def refresh(self) -> None:
        """Bring the index up to date; call before matching a batch."""
        if time.monotonic() - self._loaded_at > FULL_RELOAD:
            await self._reload_all()
            return
        if not (self._check_version or self._stale):
            return
        self._stale = False
        version = await routing_version()
        if version == self._version:
            return
        changes = await routing_changes(self._version, version)
        if changes is None:
            await self._reload_all(version)
            return
        if any(c.webhook_id is None for c in changes):
            self._coverage = await access.coverages(self._coverage)
        await self._reload({c.webhook_id for c in changes if c.webhook_id is not None})
        self._version = version

    async def _reload_all(self, version: int | None = None) -> None:
        # The version first: a change after it is read again next time, none is missed.
        self._stale = False
        self._version = await routing_version() if version is None else version
        self._targets = {w.id: Target.of(w) for w in await Webhook.filter(enabled=True)}
        creators = {t.creator_id for t in self._targets.values()}
        self._coverage = await access.coverages(creators)
        self._routes = {}
        self._route({t.company_id for t in self._targets.values()})
        self._loaded_at = time.monotonic()

    async def _reload(self, webhook_ids: set[str]) -> None:
        """Read these webhooks again: changed, disabled, enabled, created or deleted."""
        if not webhook_ids:
            return
        companies = {self._targets[w].company_id for w in webhook_ids if w in self._targets}
        for webhook_id in webhook_ids:
            self._targets.pop(webhook_id, None)
        for w in await Webhook.filter(id__in=list(webhook_ids), enabled=True):
            self._targets[w.id] = Target.of(w)
            companies.add(w.company_id)
        creators = {self._targets[w].creator_id for w in webhook_ids if w in self._targets}
        self._coverage.update(await access.coverages(creators - set(self._coverage)))
        self._route(companies)

    def _route(self, companies: Iterable[str]) -> None:
        """Rebuild the routes of these companies from the targets."""
        by_company: dict[str, list[Target]] = defaultdict(list)
        wanted = set(companies)
        for t in self._targets.values():
            if t.company_id in wanted:
                by_company[t.company_id].append(t)
        for company in wanted:
            routes: dict[str, list[Target]] = defaultdict(list)
            for t in by_company.get(company, ()):
                for event in t.events or (ANY_EVENT,):
                    routes[event].append(t)
            if routes:
                self._routes[company] = dict(routes)
            else:
                self._routes.pop(company, None)

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
        routes = self._routes.get(company_id)
        if routes is None:
            return []
        return [
            t.webhook
            for t in (*routes.get(event, ()), *routes.get(ANY_EVENT, ()))
            if (not t.project_ids or project_id in t.project_ids)
            and t.created_at <= created_at
            and self._covers(t.creator_id, company_id, project_id)
            and passes(t.filters, previous, current)
        ]
