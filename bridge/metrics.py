"""Prometheus metrics of the bridge (served by the app at /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

DELIVERIES = Counter(
    "hookline_delivery_attempts_total",
    "Delivery attempts by outcome",
    ["outcome"],  # succeeded | retry | exhausted | gone | blocked
)
ATTEMPT_SECONDS = Histogram(
    "hookline_delivery_attempt_seconds",
    "Duration of one delivery attempt",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUEUE_DEPTH = Gauge("hookline_delivery_queue_depth", "Deliveries pending")
EVENT_LAG_SECONDS = Histogram(
    "hookline_event_to_delivery_seconds",
    "From an event's commit to its first successful delivery",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600),
)
MATCHED = Counter("hookline_events_matched_total", "Events the bridge has matched")
