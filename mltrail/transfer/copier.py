"""The copy itself, shared by `mltrail import` and `mltrail sync`: experiments, then each
run (data in `log_batch` chunks, inputs, artifacts, final status), then the registry.

Idempotent: finished runs are skipped by the ledger (and, where ids are kept, by their
presence at the destination); an interrupted run is resumed by re-sending its data, which the
store absorbs (identical metric points, params and tags are no-ops).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from mltrail.entities import Experiment, Metric, Param, Run, RunStatus, RunTag
from mltrail.transfer.artifacts import copy_tree
from mltrail.transfer.destination import Destination, Item
from mltrail.transfer.ledger import Ledger
from mltrail.transfer.source import Source

PARENT_RUN_TAG = "mlflow.parentRunId"
Progress = Callable[[str], None]


@dataclass
class Summary:
    experiments_created: int = 0
    experiments_matched: int = 0
    runs_copied: int = 0
    runs_skipped: int = 0
    metrics: int = 0
    params: int = 0
    tags: int = 0
    batches: int = 0
    artifact_files: int = 0
    artifact_bytes: int = 0
    models: int = 0
    versions_copied: int = 0
    versions_skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self, *, dry_run: bool = False) -> list[str]:
        verb = "would copy" if dry_run else "copied"
        return [
            f"experiments: {self.experiments_created} new, {self.experiments_matched} existing",
            f"runs: {verb} {self.runs_copied}, skipped {self.runs_skipped} already there",
            f"values: {self.metrics} metric points, {self.params} params, {self.tags} tags "
            f"in {self.batches} batches",
            f"artifacts: {self.artifact_files} files, {self.artifact_bytes} bytes",
            f"registry: {self.models} models, {verb} {self.versions_copied} versions, "
            f"skipped {self.versions_skipped}",
            *(f"warning: {w}" for w in self.warnings),
            f"done in {self.seconds:.1f}s",
        ]


@dataclass
class Options:
    artifacts: bool = True
    registry: bool = True
    dry_run: bool = False
    # Only runs in a terminal state are marked done (sync re-sends a still-running run).
    finish_running: bool = True


class Copier:
    def __init__(
        self,
        source: Source,
        destination: Destination,
        ledger: Ledger,
        options: Options | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.source = source
        self.dest = destination
        self.ledger = ledger
        self.options = options or Options()
        self.progress = progress or (lambda _line: None)
        self.summary = Summary()
        # source run id -> (source artifact URI, destination run id)
        self.run_artifacts: dict[str, str] = {}

    def run(self) -> Summary:
        started = time.monotonic()
        for experiment in self.source.experiments():
            self._copy_experiment(experiment)
        if self.options.registry:
            from mltrail.transfer.registry import copy_registry

            copy_registry(self)
        self.summary.seconds = time.monotonic() - started
        return self.summary

    # -- experiments -----------------------------------------------------------------------
    def _copy_experiment(self, experiment: Experiment) -> None:
        runs = list(self.source.runs(experiment.experiment_id))
        if self.options.dry_run:
            found = self.dest.find_experiment(experiment.name)
            self._count_experiment(created=found is None)
            for index, run in enumerate(runs, 1):
                if self._already_copied(run):
                    self.summary.runs_skipped += 1
                else:
                    self._count_run(run)
                self._report(experiment, index, len(runs))
            return
        experiment_id, created = self.dest.open_experiment(experiment)
        self._count_experiment(created=created)
        self.ledger.set_experiment(experiment.experiment_id, experiment_id)
        try:
            for index, run in enumerate(runs, 1):
                self._copy_run(experiment_id, run)
                self._report(experiment, index, len(runs))
        finally:
            self.dest.close_experiment(experiment_id, experiment)

    def _count_experiment(self, *, created: bool) -> None:
        if created:
            self.summary.experiments_created += 1
        else:
            self.summary.experiments_matched += 1

    def _report(self, experiment: Experiment, index: int, total: int) -> None:
        s = self.summary
        self.progress(
            f"{experiment.name}: run {index}/{total} | runs copied {s.runs_copied}, "
            f"skipped {s.runs_skipped} | {s.metrics} metric points | {s.artifact_files} files"
        )

    # -- runs ------------------------------------------------------------------------------
    def _already_copied(self, run: Run) -> bool:
        run_id = run.info.run_id
        if self.ledger.run_done(run_id):
            return True
        started = self.ledger.run(run_id) is not None
        return self.dest.keeps_ids and not started and self.dest.run_exists(run_id)

    def _copy_run(self, experiment_id: str, run: Run) -> None:
        source_id = run.info.run_id
        if self._already_copied(run):
            self.summary.runs_skipped += 1
            self.run_artifacts.setdefault(source_id, run.info.artifact_uri)
            return
        run_id = self.ledger.run(source_id)
        if run_id is None:
            run_id = self.dest.create_run(experiment_id, run)
            self.ledger.start_run(source_id, run_id)
        else:
            self.dest.reopen_run(run_id)  # resuming an interrupted copy
        self.summary.batches += self.dest.write_items(run_id, self._items(run))
        self.dest.write_inputs(run_id, run.inputs.dataset_inputs)
        if self.options.artifacts:
            self._copy_artifacts(run, run_id)
        self.dest.close_run(run_id, run, self.source.deleted_time(run))
        terminal = RunStatus.is_terminated(run.info.status)
        self.ledger.finish_run(source_id, done=terminal or self.options.finish_running)
        self.run_artifacts[source_id] = run.info.artifact_uri
        self.summary.runs_copied += 1

    def _items(self, run: Run) -> Iterator[Item]:
        """Params, tags (parent ids mapped), then every metric point, counted as they go."""
        s = self.summary
        for key, value in run.data.params.items():
            s.params += 1
            yield Param(key, value)
        mapped = self.ledger.run_ids()
        for key, value in run.data.tags.items():
            s.tags += 1
            yield RunTag(key, mapped.get(value, value) if key == PARENT_RUN_TAG else value)
        for metric in self.source.metric_history(run):
            s.metrics += 1
            yield Metric(
                metric.key,
                metric.value,
                metric.timestamp,
                metric.step,
                model_id=metric.model_id,
                dataset_name=metric.dataset_name,
                dataset_digest=metric.dataset_digest,
            )

    def _count_run(self, run: Run) -> None:
        s = self.summary
        s.runs_copied += 1
        s.params += len(run.data.params)
        s.tags += len(run.data.tags)
        s.metrics += sum(1 for _ in self.source.metric_history(run))

    def _copy_artifacts(self, run: Run, run_id: str) -> None:
        uri = run.info.artifact_uri
        source = self.source.artifacts(uri)
        if source is None:
            self.summary.warnings.append(f"artifacts of run {run.info.run_id} not readable: {uri}")
            return
        copied = copy_tree(source, self.dest.artifacts(self.dest.artifact_uri(run_id)))
        self.summary.artifact_files += copied.files
        self.summary.artifact_bytes += copied.bytes
