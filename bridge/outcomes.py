"""Turn attempt results into the changes to store: delivery state and webhook health. Pure."""

import random
from dataclasses import dataclass, field
from datetime import datetime

from bridge.http import HttpResult
from bridge.render import SentRequest
from bridge.retry import Decision, Outcome, decide


@dataclass(frozen=True)
class Attempted:
    """One finished attempt of one claimed delivery."""

    delivery_id: str
    webhook_id: str
    number: int
    result: HttpResult
    # Health checks, tests and manual redeliveries get one attempt and leave health alone.
    one_shot: bool = False
    request: SentRequest | None = None  # None when nothing was sent


@dataclass
class HealthChange:
    """How a batch of attempts changes one webhook."""

    failures_in_a_row: int = 0  # failures after the batch's last success
    any_success: bool = False
    disable_reason: str | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None


@dataclass
class Plan:
    decisions: dict[str, Decision] = field(default_factory=dict)
    health: dict[str, HealthChange] = field(default_factory=dict)


def plan(
    attempts: list[Attempted],
    *,
    now: datetime,
    schedule: tuple[float, ...],
    rng: random.Random,
    max_retry_after: float,
) -> Plan:
    result = Plan()
    for attempt in attempts:
        response = attempt.result
        outcome = Outcome(
            response.status_code, response.error, response.retry_after, response.blocked
        )
        if attempt.one_shot:
            kind = "succeeded" if outcome.succeeded else "exhausted"
            result.decisions[attempt.delivery_id] = Decision(kind, None)
            continue
        decision = decide(
            attempt=attempt.number,
            outcome=outcome,
            now=now,
            schedule=schedule,
            rng=rng,
            max_retry_after=max_retry_after,
        )
        result.decisions[attempt.delivery_id] = decision
        health = result.health.setdefault(attempt.webhook_id, HealthChange())
        if decision.kind == "succeeded":
            health.any_success = True
            health.failures_in_a_row = 0
            health.last_success_at = response.started_at
        else:
            health.failures_in_a_row += 1
            health.last_failure_at = response.started_at
            if decision.kind == "gone":
                health.disable_reason = "The endpoint answered 410 Gone"
            elif decision.kind == "blocked":
                health.disable_reason = f"The URL was refused when connecting: {response.error}"
            elif decision.kind == "exhausted" and health.disable_reason is None:
                health.disable_reason = (
                    f"A delivery failed {attempt.number} attempts: {response.error}"
                )
    return result
