"""Who may read which project: the one rule, used by authorisation, streams and the bridge.

A company OWNER or ADMIN holds ADMIN on every project of the company, present and future;
anyone else holds the level of their project membership, or nothing. A Coverage keeps the rule
by company rather than expanding it into project ids, so a project created after it was read
is covered all the same: nothing built on it goes stale when a project is created. Memberships
do change it; every change to them is announced (events.announcement.Announcement.ACCESS) and
counted (models.webhooks.bump_routing_version) so each cache built on a Coverage reads it again.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from tortoise.expressions import Q

from models.accounts import CompanyLevel, CompanyUser, ProjectLevel
from models.tracker import Project

COMPANY_ADMINS = frozenset({CompanyLevel.OWNER, CompanyLevel.ADMIN})


def effective_level(
    company: CompanyLevel | None, membership: ProjectLevel | None
) -> ProjectLevel | None:
    """The rule itself: a user's level in a project, from their company and project roles."""
    if company in COMPANY_ADMINS:
        return ProjectLevel.ADMIN
    return membership


@dataclass(frozen=True)
class Coverage:
    """One user's roles: by company (OWNER/ADMIN reach every project) and by project."""

    companies: Mapping[str, CompanyLevel] = field(default_factory=dict)
    projects: Mapping[str, ProjectLevel] = field(default_factory=dict)

    @property
    def administers(self) -> frozenset[str]:
        return frozenset(c for c, level in self.companies.items() if level in COMPANY_ADMINS)

    def level(self, company_id: str, project_id: str) -> ProjectLevel | None:
        return effective_level(self.companies.get(company_id), self.projects.get(project_id))

    def covers(self, company_id: str, project_id: str) -> bool:
        return self.level(company_id, project_id) is not None


# Both kinds of role in one round trip: it runs once per operation.
_ROLES = (
    "SELECT 'c' AS kind, user_id, company_id AS target, level FROM company_user "
    "WHERE user_id IN ({marks}) UNION ALL "
    "SELECT 'p' AS kind, user_id, project_id AS target, level FROM project_user "
    "WHERE user_id IN ({marks})"
)
_CHUNK = 1000  # users per query: well within both databases' limits on parameters


async def coverages(user_ids: Collection[str]) -> dict[str, Coverage]:
    """The Coverage of each user, in one query whatever their number."""
    users = list(user_ids)
    companies: dict[str, dict[str, CompanyLevel]] = {u: {} for u in users}
    projects: dict[str, dict[str, ProjectLevel]] = {u: {} for u in users}
    connection = CompanyUser._meta.db
    postgres = connection.capabilities.dialect == "postgres"
    for start in range(0, len(users), _CHUNK):
        chunk = users[start : start + _CHUNK]
        marks = ", ".join(
            (f"${n}" for n in range(1, len(chunk) + 1)) if postgres else "?" * len(chunk)
        )
        # PostgreSQL numbers its parameters, so both halves share them; SQLite's are positional.
        params = chunk if postgres else chunk + chunk
        _, rows = await connection.execute_query(_ROLES.format(marks=marks), params)
        for row in map(dict, rows):
            if row["kind"] == "c":
                companies[row["user_id"]][row["target"]] = CompanyLevel(row["level"])
            else:
                projects[row["user_id"]][row["target"]] = ProjectLevel(row["level"])
    return {u: Coverage(companies[u], projects[u]) for u in users}


async def coverage(user_id: str) -> Coverage:
    return (await coverages([user_id]))[user_id]


async def readable_project_ids(coverage: Coverage) -> list[str]:
    """Every project the Coverage reaches, as ids (for listing, not for checking)."""
    if not coverage.companies and not coverage.projects:
        return []
    query = Project.filter(
        Q(company_id__in=list(coverage.administers)) | Q(id__in=list(coverage.projects))
    )
    return sorted(await query.values_list("id", flat=True))


async def members_among(project: Project, user_ids: Collection[str]) -> set[str]:
    """Which of these users may read the project."""
    if not user_ids:
        return set()
    found = await coverages(user_ids)
    return {u for u, c in found.items() if c.covers(project.company_id, project.id)}
