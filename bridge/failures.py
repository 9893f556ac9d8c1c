"""A WARNING line for every failed delivery attempt, with what an operator greps for.

Written where outcomes are recorded, once per attempt; the ids are also `extra` fields, so
HOOKLINE_LOG_FORMAT=json gives them as keys.
"""

import logging

from bridge.outcomes import Attempted
from bridge.retry import Decision

logger = logging.getLogger("hookline.deliveries")


def log_failure(attempt: Attempted, decision: Decision) -> None:
    """One WARNING per failed attempt: which webhook and delivery, why, and what comes next."""
    if not logger.isEnabledFor(logging.WARNING):  # a flood of failures costs nothing then
        return
    reason = attempt.result.error or f"HTTP {attempt.result.status_code}"
    if decision.kind == "retry" and decision.next_attempt_at is not None:
        then = f"retry at {decision.next_attempt_at.isoformat(timespec='seconds')}"
    elif decision.kind == "gone":
        then = "webhook disabled (410 Gone)"
    else:
        then = "no more attempts"
    logger.warning(
        "delivery %s to webhook %s failed (attempt %d): %s; %s",
        attempt.delivery_id,
        attempt.webhook_id,
        attempt.number,
        reason,
        then,
        extra={
            "webhook_id": attempt.webhook_id,
            "delivery_id": attempt.delivery_id,
            "attempt": attempt.number,
            "reason": reason,
            "outcome": decision.kind,
        },
    )
