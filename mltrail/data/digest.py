"""The short content digest every dataset carries: 8 hex characters of an MD5 over its parts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

DIGEST_LENGTH = 8
# Digests hash at most this many leading rows (plus the total row count), so that
# logging a dataset stays cheap however large it is.
DIGEST_SAMPLE_ROWS = 10_000


def short_digest(parts: Iterable[bytes]) -> str:
    """Hash the parts in order; each part is length-prefixed so boundaries matter."""
    md5 = hashlib.md5(usedforsecurity=False)
    for part in parts:
        md5.update(len(part).to_bytes(8, "little"))
        md5.update(part)
    return md5.hexdigest()[:DIGEST_LENGTH]
