"""Tests for bridge.signing: known answers plus cross-checks against independent verifiers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from bridge.signing import generate_secret, sign, standard_signature, x_signature

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TS = 1614265330
SPEC_BODY = b'{"test": 2432232314}'


def test_standard_signature_matches_spec_known_answer() -> None:
    got = standard_signature(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY)
    assert got == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_standard_signature_accepts_unprefixed_secret() -> None:
    bare = SPEC_SECRET.removeprefix("whsec_")
    assert standard_signature(bare, SPEC_ID, SPEC_TS, SPEC_BODY) == standard_signature(
        SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY
    )


def test_standard_signature_rejects_non_base64_secret() -> None:
    with pytest.raises(ValueError, match="base64"):
        standard_signature("whsec_not*base64!", SPEC_ID, SPEC_TS, SPEC_BODY)


def test_x_signature_known_answer() -> None:
    # Computed independently with openssl and node's crypto.createHmac(...).digest('hex').
    body = b'{"event":"todo.created"}'
    expected = "daac6058555ffd1a6c0e2b53ed09ee6e5bb020c3bef5088b59cdc774c90e25b2"
    assert x_signature(SPEC_SECRET, body) == expected


def test_generate_secret_shape() -> None:
    a, b = generate_secret(), generate_secret()
    assert a.startswith("whsec_") and a != b
    assert len(base64.b64decode(a.removeprefix("whsec_"), validate=True)) == 32


def test_sign_headers_verify_with_standardwebhooks_and_hmac() -> None:
    secret = generate_secret()
    body = b'{"event":"todo.created","data":{"id":"t_1"}}'
    now = int(time.time())  # standardwebhooks rejects timestamps outside a 5 minute window
    headers = sign([secret], "msg_1", now, body, "todo.created")

    assert set(headers) == {
        "X-Signature",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "X-Hookline-Event",
    }
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == str(now)
    assert headers["X-Hookline-Event"] == "todo.created"
    assert Webhook(secret).verify(body, headers) == {"event": "todo.created", "data": {"id": "t_1"}}

    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Signature"], expected)

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_sign_with_rotated_secrets_signs_with_each() -> None:
    new, old = generate_secret(), generate_secret()
    body = b"{}"
    now = int(time.time())
    headers = sign([new, old], "msg_2", now, body, "ping")

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(body, headers) == {}
    assert Webhook(old).verify(body, headers) == {}
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(body, headers)
    # X-Signature has room for one value: the newest secret.
    assert headers["X-Signature"] == x_signature(new, body)


def test_sign_requires_a_secret() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        sign([], "msg_3", 0, b"", "ping")
