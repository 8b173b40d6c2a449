"""`mltrail db`: manage a tracking database."""

from __future__ import annotations

import click


@click.group()
def db() -> None:
    """Manage a tracking database (schema upgrades)."""


@db.command()
@click.argument("url")
def upgrade(url: str) -> None:
    """Upgrade the schema of the tracking database at URL to the latest version.

    URL is a database URL such as sqlite:///mltrail.db or postgresql://user@host/db. Back the
    database up first: a migration of a large database can take a while, and some databases
    cannot roll schema changes back if it is interrupted.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from mltrail.store.tracking.sql import upgrade_database
    from mltrail.store.uri import SQL_SCHEMES, scheme_of

    if scheme_of(url) not in SQL_SCHEMES:
        raise click.BadParameter(
            f"{url!r} is not a database URL; use e.g. sqlite:///mltrail.db, "
            "postgresql://user@host/db or mysql://user@host/db.",
            param_hint="URL",
        )
    try:
        revision = upgrade_database(url)
    except SQLAlchemyError as error:
        raise click.ClickException(f"Could not upgrade {_redacted(url)}: {error}") from error
    click.echo(f"The database schema is up to date (revision {revision}).")


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "the database"
