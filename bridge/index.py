"""Which enabled webhooks an event reaches: an in-memory index, rebuilt when webhooks or
project memberships change (and at least every few seconds, in case an announcement is lost)."""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bridge.filters import passes
from models.accounts import CompanyLevel, CompanyUser
from models.tracker import Project, ProjectUser
from models.webhooks import Webhook, webhooks_version

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
        self._member_of: dict[str, set[str]] = {}  # creator → projects
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
        member_of: dict[str, set[str]] = defaultdict(set)
        for user_id, project_id in await ProjectUser.filter(user_id__in=creators).values_list(
            "user_id", "project_id"
        ):
            member_of[user_id].add(project_id)
        admins = await CompanyUser.filter(
            user_id__in=creators, level__in=[CompanyLevel.OWNER, CompanyLevel.ADMIN]
        ).values_list("user_id", "company_id")
        company_projects: dict[str, list[str]] = defaultdict(list)
        for project_id, company_id in await Project.filter(
            company_id__in={c for _, c in admins}
        ).values_list("id", "company_id"):
            company_projects[company_id].append(project_id)
        for user_id, company_id in admins:
            member_of[user_id].update(company_projects[company_id])
        self._targets, self._member_of = dict(targets), dict(member_of)
        self._loaded_at = time.monotonic()

    async def refresh(self) -> None:
        """Reload if webhooks changed or the index is old; call before matching a batch."""
        if self._check_version:
            version = await webhooks_version()
            if version != self._version:
                self._version = version
                self.invalidate()
        if time.monotonic() - self._loaded_at > MAX_AGE:
            await self._load()

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
            and project_id in self._member_of.get(t.creator_id, ())
            and passes(t.filters, previous, current)
        ]
