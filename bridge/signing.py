"""Webhook payload signing: Blue's X-Signature and Standard Webhooks (webhook-signature)."""

from __future__ import annotations

import base64
import functools
import hmac
import secrets as _secrets
from collections.abc import Sequence
from dataclasses import dataclass

SECRET_PREFIX = "whsec_"


def generate_secret() -> str:
    """Return a fresh secret in Standard Webhooks form: whsec_ + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(32)).decode("ascii")


def x_signature(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of the raw body, keyed by the whole secret string (prefix included).

    Matches node's crypto.createHmac('sha256', secret).update(rawBody).digest('hex').
    """
    # hmac.digest is the one-shot C path: a fraction of hmac.new's cost on the hot path.
    return hmac.digest(secret.encode("utf-8"), body, "sha256").hex()


@functools.lru_cache(maxsize=4096)
def _standard_key(secret: str) -> bytes:
    # Like the reference libraries, accept the secret with or without the whsec_ prefix.
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        raise ValueError("secret is not valid base64 after the whsec_ prefix") from None


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks v1 signature: v1,base64(HMAC-SHA256(key, "{id}.{ts}." + body))."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.digest(_standard_key(secret), signed, "sha256")
    return "v1," + base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class SignedHeaders:
    """The signature-related headers of one delivery attempt."""

    x_signature: str
    webhook_id: str
    webhook_timestamp: str
    webhook_signature: str
    event: str

    def as_dict(self) -> dict[str, str]:
        return {
            "X-Signature": self.x_signature,
            "webhook-id": self.webhook_id,
            "webhook-timestamp": self.webhook_timestamp,
            "webhook-signature": self.webhook_signature,
            "X-Hookline-Event": self.event,
        }


def sign(
    secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes, event: str
) -> dict[str, str]:
    """Build signature headers; secrets are newest first and all sign during rotation."""
    if not secrets:
        raise ValueError("at least one secret is required to sign a webhook")
    return SignedHeaders(
        # X-Signature carries a single value, so it uses the newest secret only.
        x_signature=x_signature(secrets[0], body),
        webhook_id=msg_id,
        webhook_timestamp=str(timestamp),
        webhook_signature=" ".join(standard_signature(s, msg_id, timestamp, body) for s in secrets),
        event=event,
    ).as_dict()
