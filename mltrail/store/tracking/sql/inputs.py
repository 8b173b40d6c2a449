"""Run inputs and outputs in the SQL store: datasets (with input tags) and logged models.

Datasets are shared per experiment, keyed by (name, digest); a run links to each once, so
re-logging the same dataset is a no-op. Links live in `run_inputs` with a kind:
"dataset", "model_input" or "model_output".
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from mltrail.entities import (
    Dataset,
    DatasetInput,
    InputTag,
    LoggedModelInput,
    LoggedModelOutput,
    RunInputs,
    RunOutputs,
)
from mltrail.store.tracking.sql import driver
from mltrail.store.tracking.sql import schema as s
from mltrail.store.tracking.sql.engine import StoreState, execute_many, insert_ignoring_duplicates
from mltrail.store.tracking.sql.run_data import lock_active_run
from mltrail.store.tracking.validation import check_dataset_inputs

DATASET = "dataset"
MODEL_INPUT = "model_input"
MODEL_OUTPUT = "model_output"
_IN = s.run_inputs.c
_DS = s.datasets.c

DatasetKey = tuple[str, str]  # (name, digest)


def _dataset_ids(
    conn: Connection, experiment_id: int, keys: Sequence[DatasetKey]
) -> dict[DatasetKey, str]:
    rows = conn.execute(
        select(_DS.dataset_id, _DS.name, _DS.digest).where(
            _DS.experiment_id == experiment_id,
            _DS.name.in_(sorted({name for name, _ in keys})),
            _DS.digest.in_(sorted({digest for _, digest in keys})),
        )
    )
    wanted = set(keys)
    return {(r.name, r.digest): r.dataset_id for r in rows if (r.name, r.digest) in wanted}


def _store_datasets(
    conn: Connection, dialect: str, experiment_id: int, unique: dict[DatasetKey, DatasetInput]
) -> dict[DatasetKey, str]:
    """Ids of the experiment's datasets for these keys, creating the missing ones."""
    ids = _dataset_ids(conn, experiment_id, list(unique))
    missing = [unique[key].dataset for key in unique if key not in ids]
    if not missing:
        return ids
    rows = [
        {
            "dataset_id": uuid.uuid4().hex,
            "experiment_id": experiment_id,
            "name": d.name,
            "digest": d.digest,
            "source_type": d.source_type,
            "source": d.source,
            "schema": d.schema,
            "profile": d.profile,
        }
        for d in missing
    ]
    # Another run of the experiment may add the same dataset concurrently: ignore, re-read.
    execute_many(conn, insert_ignoring_duplicates(dialect, s.datasets), rows)
    return _dataset_ids(conn, experiment_id, list(unique))


def _link_datasets(
    conn: Connection, dialect: str, run: Any, inputs: Sequence[DatasetInput]
) -> None:
    unique: dict[DatasetKey, DatasetInput] = {}
    for item in inputs:
        unique.setdefault((item.dataset.name, item.dataset.digest), item)
    ids = _store_datasets(conn, dialect, run.experiment_id, unique)
    linked = set(
        conn.execute(
            select(_IN.source_id).where(
                _IN.run_id == run.run_id, _IN.kind == DATASET, _IN.source_id.in_(list(ids.values()))
            )
        ).scalars()
    )
    links, tags = [], []
    for key, item in unique.items():
        if ids[key] in linked:
            continue  # the first logging of a dataset (and its tags) stays
        input_id = uuid.uuid4().hex
        links.append(
            {"input_id": input_id, "run_id": run.run_id, "kind": DATASET, "source_id": ids[key]}
        )
        tags += [{"input_id": input_id, "key": t.key, "value": t.value} for t in item.tags]
    execute_many(conn, insert(s.run_inputs), links)
    execute_many(conn, insert(s.input_tags), tags)


def _link_models(
    conn: Connection, dialect: str, run_id: str, kind: str, models: Sequence[tuple[str, int | None]]
) -> None:
    rows = [
        {"input_id": uuid.uuid4().hex, "run_id": run_id, "kind": kind, "source_id": m, "step": step}
        for m, step in models
    ]
    execute_many(conn, insert_ignoring_duplicates(dialect, s.run_inputs), rows)


_LINKS = (
    "SELECT i.{input_id}, i.{run_id}, i.{kind}, i.{source_id}, i.{step}, d.{name}, d.{digest},"
    " d.{source_type}, d.{source}, d.{schema}, d.{profile}"
    " FROM {run_inputs} i LEFT OUTER JOIN {datasets} d"
    " ON i.{kind} = ? AND d.{dataset_id} = i.{source_id}"
    " WHERE i.{run_id} IN (?*)"
    " ORDER BY i.{run_id}, i.{kind}, d.{name}, d.{digest}, i.{step}, i.{source_id}"
)
_INPUT_TAGS = (
    "SELECT t.{input_id}, t.{key}, t.{value} FROM {input_tags} t"
    " JOIN {run_inputs} i ON i.{input_id} = t.{input_id}"
    " WHERE i.{run_id} IN (?*) ORDER BY t.{input_id}, t.{key}"
)


def load_run_io(
    conn: Connection, run_ids: Sequence[str]
) -> dict[str, tuple[RunInputs, RunOutputs]]:
    """Inputs and outputs of several runs: one query, plus one for input tags if any."""
    links = driver.fetch(
        conn, driver.render(conn.dialect, _LINKS, len(run_ids)), [DATASET, *run_ids]
    )
    tags: dict[str, list[InputTag]] = defaultdict(list)
    if any(link[2] == DATASET for link in links):
        query = driver.render(conn.dialect, _INPUT_TAGS, len(run_ids))
        for input_id, key, value in driver.fetch(conn, query, run_ids):
            tags[input_id].append(InputTag(key, value))
    datasets: dict[str, list[DatasetInput]] = defaultdict(list)
    model_inputs: dict[str, list[LoggedModelInput]] = defaultdict(list)
    outputs: dict[str, list[LoggedModelOutput]] = defaultdict(list)
    for input_id, run_id, kind, source_id, step, *dataset in links:
        if kind == DATASET:
            datasets[run_id].append(DatasetInput(Dataset(*dataset), tuple(tags[input_id])))
        elif kind == MODEL_INPUT:
            model_inputs[run_id].append(LoggedModelInput(source_id))
        else:
            outputs[run_id].append(LoggedModelOutput(source_id, step or 0))
    return {
        run_id: (
            RunInputs(tuple(datasets[run_id]), tuple(model_inputs[run_id])),
            RunOutputs(tuple(outputs[run_id])),
        )
        for run_id in run_ids
    }


class InputsMixin(StoreState):
    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        models: Sequence[LoggedModelInput] = (),
    ) -> None:
        datasets, models = datasets or (), models or ()
        check_dataset_inputs(datasets)
        dialect = self._db.dialect

        def work(conn: Connection) -> None:
            run = lock_active_run(conn, run_id)
            if datasets:
                _link_datasets(conn, dialect, run, datasets)
            if models:
                pairs = [(m.model_id, None) for m in models]
                _link_models(conn, dialect, run_id, MODEL_INPUT, pairs)

        self._db.write(work)

    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None:
        dialect = self._db.dialect

        def work(conn: Connection) -> None:
            lock_active_run(conn, run_id)
            pairs = [(m.model_id, m.step) for m in models]
            _link_models(conn, dialect, run_id, MODEL_OUTPUT, pairs)

        self._db.write(work)
