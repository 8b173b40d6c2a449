"""`mltrail sync`: upload the offline store to a server, resend batches left by processes
that ended while their server was away, and say what is still pending."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mltrail.settings import Settings
from mltrail.tracking.spool import (
    BATCHES_FOLDER,
    SpoolFile,
    offline_tracking_uri,
    resend,
    spool_dir,
)
from mltrail.transfer.copier import Options, Progress, Summary
from mltrail.transfer.ledger import LEDGER_FOLDER, Ledger


@dataclass
class PendingBatches:
    server: str
    path: Path
    records: int


@dataclass
class SyncStatus:
    offline_store: str
    runs: list[tuple[str, str, str]] = field(default_factory=list)  # (run id, name, status)
    batches: list[PendingBatches] = field(default_factory=list)


def _offline_ledgers(folder: Path, store: str, destination: str | None) -> list[Ledger]:
    ledgers = [Ledger(p) for p in sorted((folder / LEDGER_FOLDER).glob("*.jsonl"))]
    return [
        ledger
        for ledger in ledgers
        if ledger.source == store and destination in (None, ledger.destination)
    ]


def _owner_alive(path: Path) -> bool:
    """Batch files are named <server hash>-<pid>-<time>; a live owner resends its own."""
    try:
        pid = int(path.name.split("-")[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _left_batches(folder: Path, destination: str | None) -> list[PendingBatches]:
    found = []
    for path in sorted((folder / BATCHES_FOLDER).glob("*.jsonl")):
        if _owner_alive(path):
            continue
        server = SpoolFile.read_server(path)
        if destination is not None and server.rstrip("/") != destination.rstrip("/"):
            continue
        records = SpoolFile(path, server).count_pending()
        found.append(PendingBatches(server, path, records))
    return found


def status(destination: str | None = None, settings: Settings | None = None) -> SyncStatus:
    """Offline runs not yet uploaded (to `destination`, or to any server) and unsent batches."""
    from mltrail.store.uri import tracking_store_for
    from mltrail.transfer.artifacts import SourceArtifacts
    from mltrail.transfer.store_source import StoreSource

    folder = spool_dir(settings)
    store = offline_tracking_uri(settings)
    result = SyncStatus(store)
    done: set[str] = set()
    for ledger in _offline_ledgers(folder, store, destination):
        done |= {run for run in ledger.run_ids() if ledger.run_done(run)}
    source = StoreSource(tracking_store_for(store), None, store, SourceArtifacts())
    try:
        for experiment in source.experiments():
            for run in source.runs(experiment.experiment_id):
                if run.info.run_id not in done:
                    info = run.info
                    result.runs.append((info.run_id, info.run_name, info.status))
    finally:
        source.close()
    result.batches = _left_batches(folder, destination)
    return result


def sync(
    destination: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> tuple[Summary, int]:
    """Upload the offline store to `destination` and resend left batches for it.

    Returns the copy summary and how many left batches were resent. Runs still RUNNING are
    uploaded but stay pending, so a later sync sends what they log afterwards.
    """
    from mltrail.transfer import transfer

    folder = spool_dir(settings)
    options = Options(dry_run=dry_run, finish_running=False)
    summary = transfer(
        offline_tracking_uri(settings),
        destination,
        options=options,
        progress=progress,
        spool_dir=folder,
    )
    resent = 0
    if not dry_run:
        resent = resend_left_batches(destination, folder)
    return summary, resent


def resend_left_batches(destination: str, folder: Path) -> int:
    from mltrail.store.tracking.rest import RestTrackingStore

    store = RestTrackingStore(destination)
    try:
        return sum(
            resend(SpoolFile(b.path, b.server), store) for b in _left_batches(folder, destination)
        )
    finally:
        store.close()
