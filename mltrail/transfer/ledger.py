"""What a copy from one source to one destination has done: an append-only log per pair.

It maps source ids to destination ids (needed where the destination assigns its own ids, as
a tracking server does) and marks runs started and finished, so a re-run skips finished
runs and resumes an interrupted one. Each change is one appended JSON line (cheap for many
runs; a torn last line from a crash is ignored on reading).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

LEDGER_FOLDER = "transfers"


def ledger_path(spool_dir: Path, source: str, destination: str) -> Path:
    digest = hashlib.sha256(f"{source}\n{destination}".encode()).hexdigest()[:20]
    return spool_dir / LEDGER_FOLDER / f"{digest}.jsonl"


class Ledger:
    def __init__(self, path: Path | None, source: str = "", destination: str = "") -> None:
        """`path=None` keeps the ledger in memory only (dry runs)."""
        self.path = path
        self.source = source
        self.destination = destination
        self._experiments: dict[str, str] = {}
        self._runs: dict[str, tuple[str, bool]] = {}
        if path is not None and path.is_file():
            self._replay(path)
        elif path is not None:
            self._append({"pair": [source, destination]})

    def _replay(self, path: Path) -> None:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line torn by a crash
            if "pair" in event:
                self.source, self.destination = event["pair"]
            elif "experiment" in event:
                self._experiments[event["experiment"]] = event["to"]
            elif "run" in event:
                self._runs[event["run"]] = (event["to"], bool(event["done"]))

    def _append(self, event: dict[str, Any]) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(event) + "\n")

    # -- experiments -----------------------------------------------------------------------
    def experiment(self, source_id: str) -> str | None:
        return self._experiments.get(source_id)

    def set_experiment(self, source_id: str, destination_id: str) -> None:
        if self._experiments.get(source_id) != destination_id:
            self._experiments[source_id] = destination_id
            self._append({"experiment": source_id, "to": destination_id})

    # -- runs ------------------------------------------------------------------------------
    def run(self, source_id: str) -> str | None:
        """The destination id of a run this ledger has started, if any."""
        entry = self._runs.get(source_id)
        return None if entry is None else entry[0]

    def run_done(self, source_id: str) -> bool:
        entry = self._runs.get(source_id)
        return bool(entry and entry[1])

    def run_ids(self) -> dict[str, str]:
        return {k: v[0] for k, v in self._runs.items()}

    def start_run(self, source_id: str, destination_id: str) -> None:
        self._set_run(source_id, destination_id, False)

    def finish_run(self, source_id: str, *, done: bool = True) -> None:
        self._set_run(source_id, self._runs[source_id][0], done)

    def _set_run(self, source_id: str, destination_id: str, done: bool) -> None:
        if self._runs.get(source_id) != (destination_id, done):
            self._runs[source_id] = (destination_id, done)
            self._append({"run": source_id, "to": destination_id, "done": done})
