"""What the bridge needs to know, as one frozen object built by the app from its settings."""

from dataclasses import dataclass

from bridge.retry import DEFAULT_SCHEDULE


@dataclass(frozen=True)
class BridgeConfig:
    retry_schedule: tuple[float, ...] = DEFAULT_SCHEDULE
    delivery_timeout: float = 7.0
    allow_private_urls: bool = False
    # A slow endpoint may hold at most this many requests; the rest of the fleet flows on.
    per_endpoint_limit: int = 16
    # Requests in flight in all; with per_endpoint_limit 16, 64 hanging endpoints before the
    # others feel it.
    max_in_flight: int = 1024
    claim_batch: int = 200
    # A claim not finished within the lease is due again (its process is presumed dead).
    lease_seconds: float = 120.0
    retention_days: float = 30.0
    event_retention_days: float = 30.0
    unhealthy_after: int = 3
    max_retry_after: float = 3600.0
    poll_interval: float = 1.0

    @property
    def lease(self) -> float:
        """The lease actually used: long enough for a full local backlog of one webhook (8
        rounds of per_endpoint_limit requests, each up to the timeout) to be sent."""
        return max(self.lease_seconds, 10 * self.delivery_timeout)
