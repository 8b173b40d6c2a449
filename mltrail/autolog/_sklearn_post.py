"""Post-training metrics: `sklearn.metrics` calls on a model's predictions, and `model.score`,
are logged to the run that trained the model, named like ``accuracy_score_X_test``.

A fitted estimator remembers its run; its predictions remember the estimator's run and the
variable name of the data they were computed from. A metric call that receives such a
prediction logs `<metric>[-<n>]_<data name>` (n counts repeated calls per run), and the call
itself, with the user's variable names, goes to the run's ``metric_info.json``.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from mltrail.autolog import frames, records
from mltrail.autolog.patching import Call, Hooks

METRIC_INFO_FILE = "metric_info.json"
UNKNOWN_DATASET = "unknown_dataset"
PREDICTION_ARGS = ("y_pred", "y_score", "y_proba", "y_prob", "probas_pred")
_MAX_PREDICTIONS = 1000


@dataclass(frozen=True)
class _Prediction:
    ref: Any  # weakref.ref to the prediction (strong ref when the type refuses weakrefs)
    run_id: str
    dataset_name: str

    def refers_to(self, value: Any) -> bool:
        held = self.ref() if isinstance(self.ref, weakref.ref) else self.ref
        return held is value


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.models: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
        self.predictions: OrderedDict[int, _Prediction] = OrderedDict()
        self.calls: dict[tuple[str, str], int] = {}
        self.info: dict[str, dict[str, str]] = {}
        self.eval_datasets: set[tuple[str, str]] = set()


_state = _State()


def reset() -> None:
    global _state
    _state = _State()


def remember_model(estimator: Any, run_id: str) -> None:
    # Unhashable or no weakrefs: post-training metrics are skipped for it.
    with _state.lock, contextlib.suppress(TypeError):
        _state.models[estimator] = run_id


def _run_of(estimator: Any) -> str | None:
    with _state.lock:
        try:
            return _state.models.get(estimator)
        except TypeError:
            return None


def _remember_prediction(value: Any, prediction: _Prediction) -> None:
    with _state.lock:
        _state.predictions[id(value)] = prediction
        _state.predictions.move_to_end(id(value))
        while len(_state.predictions) > _MAX_PREDICTIONS:
            _state.predictions.popitem(last=False)


def _prediction_of(value: Any) -> _Prediction | None:
    with _state.lock:
        found = _state.predictions.get(id(value))
    return found if found is not None and found.refers_to(value) else None


def _metric_key(run_id: str, base: str, dataset_name: str) -> str:
    with _state.lock:
        count = _state.calls.get((run_id, base), 0) + 1
        _state.calls[(run_id, base)] = count
    suffix = "" if count == 1 else f"-{count}"
    return f"{base}{suffix}_{dataset_name}"


def _log_metric(run_id: str, key: str, value: Any, description: str) -> None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return  # not a scalar metric (e.g. average=None returns an array)
    records.log_metrics(run_id, {key: number})
    with _state.lock:
        info = _state.info.setdefault(run_id, {})
        info[key] = description
        snapshot = dict(sorted(info.items()))
    records.client().log_dict(run_id, snapshot, METRIC_INFO_FILE)


def _first_argument(call: Call, name: str) -> Any:
    arguments = call.arguments()
    if name in arguments:
        return arguments[name]
    return call.args[1] if len(call.args) > 1 else None


class PredictHooks(Hooks):
    """predict / predict_proba / ...: remember where the result came from."""

    def after(self, result: Any) -> None:
        run_id = _run_of(self.call.instance)
        if run_id is None:
            return
        features = _first_argument(self.call, "X")
        name = frames.variable_name(features, frames.user_frame()) or UNKNOWN_DATASET
        try:
            ref: Any = weakref.ref(result)
        except TypeError:
            ref = result
        _remember_prediction(result, _Prediction(ref, run_id, name))
        if self.call.config.log_datasets:
            self.attempt("log the evaluation dataset", _log_eval_dataset, run_id, features)


def _log_eval_dataset(run_id: str, features: Any) -> None:
    dataset = records.dataset_of(features)
    if dataset is None:
        return
    with _state.lock:
        if (run_id, dataset.digest) in _state.eval_datasets:
            return
        _state.eval_datasets.add((run_id, dataset.digest))
    records.log_dataset(run_id, dataset, "eval")


class ScoreHooks(Hooks):
    """estimator.score(X, y): logged as ``<Estimator>_score_<X name>``."""

    def after(self, result: Any) -> None:
        estimator = self.call.instance
        run_id = _run_of(estimator)
        if run_id is None:
            return
        frame = frames.user_frame()
        arguments = self.call.arguments()
        arguments.pop(next(iter(arguments), ""), None)  # self
        features = arguments.get("X", self.call.args[1] if len(self.call.args) > 1 else None)
        name = frames.variable_name(features, frame) or UNKNOWN_DATASET
        base = f"{type(estimator).__name__}_score"
        shown = ", ".join(f"{k}={frames.render(v, frame)}" for k, v in arguments.items())
        description = f"{type(estimator).__name__}.score({shown})"
        _log_metric(run_id, _metric_key(run_id, base, name), result, description)


class MetricHooks(Hooks):
    """A `sklearn.metrics` function called on a tracked prediction."""

    def after(self, result: Any) -> None:
        arguments = self.call.arguments()
        prediction = next(
            (
                found
                for key in PREDICTION_ARGS
                if key in arguments and (found := _prediction_of(arguments[key])) is not None
            ),
            None,
        )
        if prediction is None:
            return
        frame = frames.user_frame()
        fn_name = self.call.original.__name__
        shown = ", ".join(f"{k}={frames.render(v, frame)}" for k, v in arguments.items())
        key = _metric_key(prediction.run_id, fn_name, prediction.dataset_name)
        _log_metric(prediction.run_id, key, result, f"{fn_name}({shown})")
