"""Offset page tokens in MLflow's format: base64 of the JSON object ``{"offset": n}``."""

from __future__ import annotations

import base64
import binascii
import json

from mltrail.errors import InvalidParameter


def encode_offset(offset: int) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_offset(token: str | None) -> int:
    """The offset a token points at; no token means the first page."""
    if not token:
        return 0
    try:
        parsed = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError):
        raise InvalidParameter("Invalid page token, could not base64-decode") from None
    offset = parsed.get("offset") if isinstance(parsed, dict) else None
    if type(offset) is not int or offset < 0:
        raise InvalidParameter(f"Invalid page token, parsed value={parsed}")
    return offset


def next_page_token(offset: int, page_size: int, has_more: bool) -> str | None:
    return encode_offset(offset + page_size) if has_more else None
