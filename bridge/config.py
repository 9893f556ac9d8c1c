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
    max_in_flight: int = 256
    claim_batch: int = 200
    # A claim not finished within the lease is due again (its process is presumed dead).
    lease_seconds: float = 120.0
    retention_days: float = 30.0
    unhealthy_after: int = 3
    max_retry_after: float = 3600.0
    poll_interval: float = 1.0
