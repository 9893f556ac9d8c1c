"""What one process tells every other: the kinds of announcement the bus carries."""

from enum import StrEnum


class Announcement(StrEnum):
    EVENTS = "events"  # events were committed: read the log
    WEBHOOKS = "webhooks"  # a webhook was created, changed, disabled or deleted
    ACCESS = "access"  # who may read which project changed: memberships
    TOKENS = "tokens"  # an API token was revoked: forget cached tokens, re-check open streams
    DELIVERIES = "deliveries"  # deliveries became due: dispatchers should claim

    @classmethod
    def parse(cls, raw: str) -> "Announcement | None":
        """A kind received from another process; None for one this version doesn't know."""
        try:
            return cls(raw)
        except ValueError:
            return None
