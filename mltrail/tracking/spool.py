"""Local spooling: where offline data lives, and batches a tracking server did not take.

`spool_dir()` is the folder (MLTRAIL_SPOOL_DIR, default ``./.mltrail``) holding the offline
store (``offline/mltrail.db`` + ``offline/artifacts``, used when MLTRAIL_OFFLINE=1 and uploaded
by `mltrail sync`) and ``batches/``: one append-only JSON-lines file per process and server.

`BatchSpool` sits between the background batcher and a REST store. A chunk is sent with a
fast-failing client (no retry backoff, so the training loop's queue keeps draining); when the
server cannot be reached the chunk is appended to the file, and so is every later chunk until
the file has been resent, in order. Each resent record moves a saved offset forward, so a
restart resends only what was not acknowledged; a record sent twice (a crash between send
and offset) is harmless because the store ignores identical metric points, params and tags.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from mltrail.entities import Metric, Param, RunTag
from mltrail.errors import ErrorCode, MltrailError
from mltrail.settings import Settings

_log = logging.getLogger(__name__)

DEFAULT_SPOOL_DIR = ".mltrail"
OFFLINE_FOLDER = "offline"
BATCHES_FOLDER = "batches"
RETRY_MIN_SECONDS = 0.2
RETRY_MAX_SECONDS = 5.0
FAST_TIMEOUT_SECONDS = 10.0
_UNREACHABLE = {
    ErrorCode.TEMPORARILY_UNAVAILABLE.name,
    "REQUEST_LIMIT_EXCEEDED",
    "DEADLINE_EXCEEDED",
}


def spool_dir(settings: Settings | None = None) -> Path:
    settings = settings or Settings.from_env()
    return Path(settings.spool_dir or DEFAULT_SPOOL_DIR).expanduser().absolute()


def offline_tracking_uri(settings: Settings | None = None) -> str:
    """The local store that MLTRAIL_OFFLINE=1 logs to (created on first use)."""
    folder = spool_dir(settings) / OFFLINE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'mltrail.db'}"


def offline_artifact_root(settings: Settings | None = None) -> str:
    return str(spool_dir(settings) / OFFLINE_FOLDER / "artifacts")


def is_unreachable(exc: BaseException) -> bool:
    """A failure that says nothing about the data: the server was not there to answer."""
    if isinstance(exc, MltrailError):
        return exc.error_code in _UNREACHABLE
    import httpx

    return isinstance(exc, httpx.TransportError | OSError)


class _Sink(Protocol):
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
    ) -> None: ...


# -- the file format: one JSON object per line ---------------------------------------------
def encode(
    run_id: str, metrics: Sequence[Metric], params: Sequence[Param], tags: Sequence[RunTag]
) -> str:
    record = {
        "run_id": run_id,
        "metrics": [
            [m.key, m.value, m.timestamp, m.step, m.model_id, m.dataset_name, m.dataset_digest]
            for m in metrics
        ],
        "params": [[p.key, p.value] for p in params],
        "tags": [[t.key, t.value] for t in tags],
    }
    return json.dumps(record, separators=(",", ":")) + "\n"  # NaN/Infinity allowed


def decode(line: str) -> tuple[str, list[Metric], list[Param], list[RunTag]]:
    record = json.loads(line)
    metrics = [Metric(k, v, ts, st, mid, dn, dd) for k, v, ts, st, mid, dn, dd in record["metrics"]]
    params = [Param(k, v) for k, v in record["params"]]
    tags = [RunTag(k, v) for k, v in record["tags"]]
    return record["run_id"], metrics, params, tags


class SpoolFile:
    """An append-only record file plus the byte offset of its first unsent record."""

    def __init__(self, path: Path, server: str = "") -> None:
        self.path = path
        self.offset_path = path.with_name(path.name + ".offset")
        self.server = server
        self._repair()

    def _repair(self) -> None:
        """Drop a last line torn by a crash, so later appends start on a line of their own."""
        if not self.path.is_file():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            with self.path.open("r+b") as out:
                out.truncate(end)

    @property
    def offset(self) -> int:
        try:
            return int(self.offset_path.read_text())
        except (FileNotFoundError, ValueError):
            return 0

    def set_offset(self, offset: int) -> None:
        temp = self.offset_path.with_name(self.offset_path.name + ".tmp")
        temp.write_text(str(offset))
        os.replace(temp, self.offset_path)

    def append(self, line: str) -> None:
        new = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            if new:
                out.write(json.dumps({"server": self.server}) + "\n")
            out.write(line)

    def pending(self) -> Iterator[tuple[int, str]]:
        """(offset after the record, record line) of every unsent record, in order."""
        if not self.path.is_file():
            return
        with self.path.open("rb") as stream:
            stream.seek(self.offset)
            for raw in stream:
                end = stream.tell()
                line = raw.decode("utf-8")
                if line.startswith('{"server"'):
                    self.set_offset(end)
                    continue
                yield end, line

    def has_pending(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > self.offset

    def count_pending(self) -> int:
        return sum(1 for _ in self.pending())

    def remove(self) -> None:
        for path in (self.path, self.offset_path):
            path.unlink(missing_ok=True)

    @staticmethod
    def read_server(path: Path) -> str:
        with path.open(encoding="utf-8") as stream:
            first = stream.readline()
        try:
            return str(json.loads(first).get("server", ""))
        except ValueError:
            return ""


def resend(spool: SpoolFile, sink: _Sink) -> int:
    """Send every unsent record in order, moving the offset after each; returns how many.
    Raises on the first failure (the offset stays before the failed record)."""
    sent = 0
    for end, line in spool.pending():
        sink.log_batch(*decode(line))
        spool.set_offset(end)
        sent += 1
    spool.remove()
    return sent


class BatchSpool:
    """Sends chunks to a REST store, spooling them to a file while the server is away."""

    def __init__(self, store: _Sink, server: str, folder: Path) -> None:
        self.store = store
        name = hashlib.sha256(server.encode()).hexdigest()[:16]
        path = folder / BATCHES_FOLDER / f"{name}-{os.getpid()}-{time.time_ns()}.jsonl"
        self.file = SpoolFile(path, server)
        self._delay = RETRY_MIN_SECONDS
        self._next_try = 0.0
        self._lock = threading.Lock()

    @property
    def pending(self) -> bool:
        return self.file.has_pending()

    def close(self) -> None:
        """Close the spool's own connections (it reopens them if used again)."""
        close = getattr(self.store, "close", None)
        if callable(close):
            close()

    def seconds_to_retry(self) -> float:
        return max(0.0, self._next_try - time.monotonic())

    def send(
        self,
        run_id: str,
        metrics: Sequence[Metric],
        params: Sequence[Param],
        tags: Sequence[RunTag],
    ) -> None:
        """Send now, or append behind earlier unsent records (keeps each run's order)."""
        with self._lock:
            if self.pending and not self._drain_locked(force=False):
                self.file.append(encode(run_id, metrics, params, tags))
                return
            try:
                self.store.log_batch(run_id, metrics, params, tags)
            except Exception as exc:
                if not is_unreachable(exc):
                    raise
                _log.warning("tracking server unreachable; spooling to %s", self.file.path)
                self.file.append(encode(run_id, metrics, params, tags))
                self._back_off()

    def drain(self, *, force: bool = False) -> bool:
        """Resend unsent records if a retry is due (or `force`); True when none are left."""
        with self._lock:
            return self._drain_locked(force=force)

    def _drain_locked(self, *, force: bool) -> bool:
        if not self.pending:
            return True
        if not force and time.monotonic() < self._next_try:
            return False
        try:
            sent = resend(self.file, self.store)
        except Exception as exc:
            if not is_unreachable(exc):
                # The server refused a record outright: skip it so later ones can go.
                self._skip_one()
                raise
            self._back_off()
            return False
        _log.info("resent %d spooled batch(es) to the tracking server", sent)
        self._delay = RETRY_MIN_SECONDS
        return True

    def _skip_one(self) -> None:
        for end, _line in self.file.pending():
            self.file.set_offset(end)
            return

    def _back_off(self) -> None:
        self._next_try = time.monotonic() + self._delay
        self._delay = min(self._delay * 2, RETRY_MAX_SECONDS)


def spool_for(sink: Any) -> BatchSpool | None:
    """A spool for a REST tracking store (its own fast-failing client); None for others."""
    if not str(getattr(sink, "uri", "")).startswith(("http://", "https://")):
        return None  # checked first: local stores never import the REST client
    from mltrail.store.tracking.rest import RestTrackingStore

    if not isinstance(sink, RestTrackingStore):
        return None
    settings = dataclasses.replace(
        sink.rest.settings,
        http_request_max_retries=0,
        http_request_timeout=min(sink.rest.settings.http_request_timeout, FAST_TIMEOUT_SECONDS),
    )
    fast = RestTrackingStore(sink.uri, settings=settings)
    return BatchSpool(fast, sink.uri, spool_dir(sink.rest.settings))
