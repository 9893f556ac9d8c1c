"""What `hookline listen` prints: one line per event on stdout (time, event, ids, the
receiver's answer and latency), the body too with --print-json; connection news on stderr."""

import json
import sys
from datetime import datetime
from typing import Any, TextIO

from hookline.local.forwarder import Attempt, Forwarded


def describe(attempt: Attempt) -> str:
    result = attempt.result
    took = f"{result.duration_ms:.0f} ms"
    if result.status_code is not None and result.error is None:
        return f"{result.status_code} in {took}"
    return f"{result.error} in {took}"


def record_id(event_value: Any) -> str | None:
    return str(event_value["id"]) if isinstance(event_value, dict) and "id" in event_value else None


class Report:
    def __init__(
        self, print_json: bool = False, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.print_json = print_json
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def _line(self, stream: TextIO, text: str) -> None:
        print(text, file=stream, flush=True)

    def banner(self, secret: str, server: str, forward_to: str, reused: bool) -> None:
        how = "given with --secret" if reused else "new; pass it with --secret to keep it"
        self._line(self.out, f"Signing secret: {secret} ({how})")
        self._line(self.out, f"Forwarding events of {server} to {forward_to}")

    def connected(self, server: str, cursor: int | None) -> None:
        where = "from now on" if cursor is None else f"after event {cursor}"
        self._line(self.err, f"hookline: connected to {server}, listening {where}")

    def reconnecting(self, problem: str, delay: float, cursor: int | None) -> None:
        if cursor is None:
            resume = (
                "then listening from now on (no event received yet, so events committed "
                "meanwhile cannot be resumed; --after pins a start)"
            )
        else:
            resume = f"then resuming after event {cursor}"
        self._line(self.err, f"hookline: {problem}; reconnecting in {delay:.1f} s, {resume}")

    def attempt(self, attempt: Attempt) -> None:
        """A failed attempt that will be retried (the event's own line follows at its end)."""
        if attempt.retry_in is not None:
            self._line(
                self.out,
                f"  attempt {attempt.number}: {describe(attempt)}; "
                f"retrying in {attempt.retry_in:.1f} s",
            )

    def forwarded(self, forwarded: Forwarded) -> None:
        event = forwarded.event
        ids = [f"event={event.id}", f"project={event.project_id}"]
        record = record_id(event.current_value) or record_id(event.previous_value)
        if record is not None:
            ids.append(f"id={record}")
        last = forwarded.attempts[-1]
        outcome = describe(last)
        if not forwarded.succeeded:
            count = len(forwarded.attempts)
            outcome = f"FAILED after {count} attempt{'s' if count > 1 else ''}: {outcome}"
            if last.result.status_code == 410:
                outcome += " (a real webhook would now be disabled)"
        when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
        self._line(self.out, f"{when}  {event.type}  {' '.join(ids)}  -> {outcome}")
        if self.print_json:
            self._line(
                self.out, json.dumps(json.loads(forwarded.body), indent=2, ensure_ascii=False)
            )
