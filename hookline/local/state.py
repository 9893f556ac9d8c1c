"""Where `hookline listen` keeps its place: the id of the last event it forwarded.

One small JSON file per server and token, under $XDG_STATE_HOME/hookline/listen (or
~/.local/state/hookline/listen), named by a digest of the server URL and the token's id. It
holds the cursor and, for a person reading it, the server URL and token id: never the token's
secret, nor the signing secret. Writes replace the file atomically, so a listener killed at any
moment leaves the previous cursor or the new one, never half of either. A lock held for the
listener's life keeps a second listener of the same server and token from moving the cursor
under the first (the lock goes with the process, however it ends).
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from hookline.local.remote import LocalToolError, Server, UsageError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; two listeners there are the user's care
    fcntl = None  # type: ignore[assignment]

# --after NOW: start from now on, whatever cursor is saved.
NOW = "now"


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "hookline" / "listen"


class CursorFile:
    """The saved cursor of one server and token."""

    def __init__(self, server: Server, folder: Path | None = None) -> None:
        self.server = server
        self.path = (folder or state_dir()) / f"{server.key()}.json"
        self._lock: IO[bytes] | None = None

    def lock(self) -> None:
        """Hold this state for the life of the process; refuse if another listener does."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle = self.path.with_suffix(".lock").open("ab")
        except OSError as exc:
            raise UsageError(f"cannot keep the cursor in {self.path.parent}: {exc}") from None
        if fcntl is None:
            self._lock = handle
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise UsageError(
                f"another `hookline listen` of {self.server.base} with this token is running "
                f"(it holds {self.path.with_suffix('.lock')}); stop it first"
            ) from None
        self._lock = handle

    def load(self) -> int | None:
        """The last forwarded event id, or None when this server and token are new here."""
        try:
            saved = json.loads(self.path.read_text())
            return int(saved["after"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            raise UsageError(
                f"the saved cursor {self.path} is unreadable: delete it, or pass --after"
            ) from None

    def save(self, cursor: int) -> None:
        record = {
            "server": self.server.base,
            "tokenId": self.server.token_id,
            "after": str(cursor),
            "savedAt": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(record, indent=2) + "\n")
            os.replace(temporary, self.path)
        except OSError as exc:
            # Going on without saving would make the next start replay or skip: stop instead.
            raise LocalToolError(f"cannot save the cursor to {self.path}: {exc}") from None
