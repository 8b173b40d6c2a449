"""Input checks shared by the tracking stores: MLflow's limits, codes and messages."""

from __future__ import annotations

import numpy as np
import pytest

from mltrail.entities import Dataset, DatasetInput, ExperimentTag, InputTag, Metric, Param, RunTag
from mltrail.errors import InvalidParameter
from mltrail.store.tracking import validation as v


@pytest.mark.parametrize("key", ["loss", "a/b", "eval:acc", "with space", "x.y-z_1", "é"])
def test_valid_keys(key: str) -> None:
    assert v.check_key(key, "metrics[0].name", "Metric name") == key


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("a!b", "Names may only contain"),
        ("", "would resolve to '.'"),
        (".", "would resolve to '.'"),
        ("a//b", "would resolve to 'a/b'"),
        ("a/./b", "would resolve to 'a/b'"),
        ("a/", "would resolve to 'a'"),
        ("../a", "would resolve to '../a'"),
        ("/a", "would resolve to '/a'"),
    ],
)
def test_invalid_keys(key: str, problem: str) -> None:
    with pytest.raises(InvalidParameter, match=problem) as caught:
        v.check_key(key, "params[3].key", "Param key")
    assert f"Invalid value \"{key}\" for parameter 'params[3].key' supplied" in caught.value.message


def test_key_length_and_missing_key() -> None:
    with pytest.raises(InvalidParameter, match="'Param key' exceeds the maximum length of 250"):
        v.check_key("k" * 251, "params[0].key", "Param key")
    with pytest.raises(InvalidParameter, match="A key name must be provided"):
        v.check_key(None, "params[0].key", "Param key")


def test_numpy_numbers_are_valid_metrics() -> None:
    v.check_metric(0, Metric("m", np.float32(1.5), np.int64(5), np.int32(2)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        (Metric("m", None, 1, 0), "Missing value for required parameter 'metrics[0].value'"),  # type: ignore[arg-type]
        (Metric("m", "1", 1, 0), "Invalid value \"1\" for parameter 'metrics[0].value'"),  # type: ignore[arg-type]
        (Metric("m", np.bool_(True), 1, 0), "valid double"),  # type: ignore[arg-type]
        (Metric("m", 1.0, None, 0), "Invalid value null for parameter 'metrics[0].timestamp'"),  # type: ignore[arg-type]
        (Metric("m", 1.0, 1, None), "Invalid value null for parameter 'metrics[0].step'"),  # type: ignore[arg-type]
        (Metric("m", 1.0, 1, True), "Step must be a valid long"),
    ],
)
def test_invalid_metrics(metric: Metric, message: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        v.check_metric(0, metric)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        (Metric("seen", "1", 1, 0), "Invalid value \"1\" for parameter 'metrics[1].value'"),  # type: ignore[arg-type]
        (Metric("seen", True, 1, 0), "valid double"),
        (Metric("seen", 1.0, -1, 0), "'metrics[1].timestamp'"),
        (Metric("seen", 1.0, 1, 1.5), "Step must be a valid long"),  # type: ignore[arg-type]
        (Metric("seen", 1.0, 1, True), "Step must be a valid long"),
        (Metric("bad!", 1.0, 1, 0), "Names may only contain"),
    ],
)
def test_a_known_key_does_not_skip_the_other_checks(metric: Metric, message: str) -> None:
    ok = Metric("seen", 1.0, 1, 0)
    for _ in range(2):  # the second time the key is known (and a bad key stays unknown)
        v.clean_batch([ok], [], [], truncate=False)
        with pytest.raises(InvalidParameter) as caught:
            v.clean_batch([ok, metric], [], [], truncate=False)
        assert message in caught.value.message


def test_values_are_truncated_or_refused() -> None:
    assert v.check_value("x" * 6001, "p", "Param value", 6000, truncate=True) == "x" * 6000
    with pytest.raises(InvalidParameter, match="'Param value' exceeds the maximum length of 6000"):
        v.check_value("x" * 6001, "p", "Param value", 6000, truncate=False)
    assert v.check_value(3, "p", "Param value", 6000, truncate=False) == "3"


def test_clean_batch_dedupes_params_and_keeps_last_tag() -> None:
    batch = v.clean_batch(
        [],
        [Param("a", "1"), Param("a", "1"), Param("b", "2")],
        [RunTag("t", "1"), RunTag("t", "2")],
        truncate=True,
    )
    assert batch.params == [Param("a", "1"), Param("b", "2")]
    assert batch.tags == [RunTag("t", "2")]
    with pytest.raises(
        InvalidParameter, match=r"Duplicate parameter keys have been submitted: \['a'\]"
    ):
        v.clean_batch([], [Param("a", "1"), Param("a", "2")], [], truncate=True)


def test_tag_value_limit_when_not_truncating() -> None:
    with pytest.raises(InvalidParameter, match="8000"):
        v.clean_tags([RunTag("t", "x" * 8001)], truncate=False)


def test_experiment_checks() -> None:
    with pytest.raises(InvalidParameter, match="Invalid experiment name: ''"):
        v.check_experiment_name("")
    with pytest.raises(InvalidParameter, match="'name' exceeds the maximum length of 500"):
        v.check_experiment_name("n" * 501)
    with pytest.raises(InvalidParameter, match="'value' exceeds the maximum length of 20000"):
        v.clean_experiment_tag(ExperimentTag("k", "x" * 20001))
    with pytest.raises(InvalidParameter, match="'key' exceeds the maximum length of 250"):
        v.clean_experiment_tag(ExperimentTag("k" * 251, "x"))


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            DatasetInput(Dataset("n" * 501, "d", "local", "{}")),
            "'name' exceeds the maximum length of 500",
        ),
        (
            DatasetInput(Dataset("n", "d" * 37, "local", "{}")),
            "'digest' exceeds the maximum length of 36",
        ),
        (DatasetInput(Dataset("n", "d", "local", None)), "Dataset source cannot be None"),  # type: ignore[arg-type]
        (
            DatasetInput(Dataset("n", "d", "local", "{}"), (InputTag("k" * 256, "v"),)),
            "'key' exceeds",
        ),
        (
            DatasetInput(Dataset("n", "d", "local", "{}"), (InputTag("k", "v" * 501),)),
            "'value' exceeds",
        ),
    ],
)
def test_dataset_checks(item: DatasetInput, message: str) -> None:
    with pytest.raises(InvalidParameter, match=message):
        v.check_dataset_inputs([item])


def test_too_many_datasets() -> None:
    many = [DatasetInput(Dataset(f"n{i}", "d", "local", "{}")) for i in range(1001)]
    with pytest.raises(InvalidParameter, match="at most 1000 datasets"):
        v.check_dataset_inputs(many)


@pytest.mark.parametrize(("value", "message"), [(0, "positive integer"), (50001, "at most 50000")])
def test_max_results(value: int, message: str) -> None:
    with pytest.raises(InvalidParameter, match=message):
        v.check_max_results(value, 50000)
    assert v.check_max_results(50000, 50000) == 50000


@pytest.mark.parametrize("name", ["", "a/b", "a.b", "a:b", "a%b", "a'b"])
def test_logged_model_names(name: str) -> None:
    with pytest.raises(InvalidParameter, match="Invalid model name"):
        v.check_logged_model_name(name)
    v.check_logged_model_name(None)
    v.check_logged_model_name("fine-name_1")
