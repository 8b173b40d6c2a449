"""The tracking client for a command, and paging through its search results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from mltrail.entities import PagedList
    from mltrail.tracking.client import MltrailClient

T = TypeVar("T")


def client_for(tracking_uri: str | None) -> MltrailClient:
    """The tracking client, imported only when a command runs (keeps `--help` fast)."""
    from mltrail.tracking import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri)


def all_pages(fetch: Callable[[str | None], PagedList[T]], limit: int | None = None) -> Iterator[T]:
    """Every item of a paged search (at most `limit`), fetching pages as they are consumed."""
    token: str | None = None
    count = 0
    while True:
        page = fetch(token)
        for item in page:
            if limit is not None and count >= limit:
                return
            count += 1
            yield item
        token = page.token
        if not token:
            return
