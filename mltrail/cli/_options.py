"""Click options shared by the command groups: the tracking URI and the lifecycle view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from mltrail.entities import ViewType

F = TypeVar("F", bound=Callable[..., Any])

VIEWS = {
    "active_only": ViewType.ACTIVE_ONLY,
    "deleted_only": ViewType.DELETED_ONLY,
    "all": ViewType.ALL,
}


def tracking_uri_option(function: F) -> F:
    """Add ``--tracking-uri`` (falling back to MLTRAIL_/MLFLOW_TRACKING_URI, then ./mltrail.db)."""
    return click.option(
        "--tracking-uri",
        envvar=["MLTRAIL_TRACKING_URI", "MLFLOW_TRACKING_URI"],
        show_envvar=True,
        help="Tracking store: a database URI, a folder or an http(s) server URL.",
    )(function)


def view_option(what: str) -> Callable[[F], F]:
    """Add ``-v/--view`` choosing active, deleted or all `what`."""
    return click.option(
        "-v",
        "--view",
        type=click.Choice(list(VIEWS), case_sensitive=False),
        default="active_only",
        show_default=True,
        help=f"Which {what} to show: active_only, deleted_only or all.",
    )


def view_type(view: str) -> ViewType:
    return VIEWS[view.lower()]
