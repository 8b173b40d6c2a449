"""Copying tracking history between stores: `mltrail import` and `mltrail sync`.

One copy engine (`copier.Copier`) reads from a `source.Source` (an MLflow database, an MLflow
``./mlruns`` folder, or any store mltrail opens, tracking servers included) and writes to a
`destination.Destination` (any mltrail store). A `ledger.Ledger` per source/destination pair
makes the copy idempotent and resumable.
"""

from __future__ import annotations

from pathlib import Path

from mltrail.transfer.copier import Copier, Options, Progress, Summary

__all__ = ["Options", "Summary", "transfer"]


def transfer(
    source_uri: str,
    destination_uri: str,
    *,
    options: Options | None = None,
    proxy_artifacts: Path | None = None,
    progress: Progress | None = None,
    spool_dir: Path | None = None,
) -> Summary:
    """Copy everything from `source_uri` to `destination_uri`; return what was done.

    `proxy_artifacts` is the local folder behind the source's ``mlflow-artifacts:`` URIs
    (its server's ``--artifacts-destination``), for database sources written by a server.
    """
    from mltrail.tracking.spool import spool_dir as default_spool_dir
    from mltrail.transfer.destination import Destination
    from mltrail.transfer.ledger import Ledger, ledger_path
    from mltrail.transfer.source import open_source

    options = options or Options()
    source = open_source(source_uri, proxy_artifacts)
    destination = Destination(destination_uri)
    try:
        path = ledger_path(spool_dir or default_spool_dir(), source_uri, destination_uri)
        ledger = Ledger(None if options.dry_run else path, source_uri, destination_uri)
        if options.dry_run and path.is_file():
            ledger = Ledger(path, source_uri, destination_uri)
            ledger.path = None  # read what was done, record nothing
        return Copier(source, destination, ledger, options, progress).run()
    finally:
        source.close()
        destination.close()
