"""The ``X-MLflow-Signature`` header: ``v1,`` + base64(HMAC-SHA256(secret, id.timestamp.body)).

Receivers recompute it over the delivery id, the timestamp header and the raw body, and compare
in constant time (`verify_signature`); checking the timestamp's age stops replays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

SIGNATURE_VERSION = "v1"
SIGNATURE_HEADER = "X-MLflow-Signature"
TIMESTAMP_HEADER = "X-MLflow-Timestamp"
DELIVERY_ID_HEADER = "X-MLflow-Delivery-Id"


def sign(secret: str, delivery_id: str, timestamp: str, body: str) -> str:
    message = f"{delivery_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def verify_signature(
    secret: str,
    delivery_id: str,
    timestamp: str,
    body: str | bytes,
    signature: str,
    *,
    max_age_seconds: float | None = 300.0,
) -> bool:
    """Whether `signature` is this delivery's, and (unless `max_age_seconds` is None) recent."""
    text = body.decode() if isinstance(body, bytes) else body
    if max_age_seconds is not None:
        try:
            if abs(time.time() - int(timestamp)) > max_age_seconds:
                return False
        except ValueError:
            return False
    expected = sign(secret, delivery_id, timestamp, text)
    return hmac.compare_digest(expected.encode(), signature.encode())
