"""XGBoost and LightGBM autologging with real tiny training, read back through the client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mltrail

RNG = np.random.RandomState(0)
X = RNG.rand(60, 3)
Y = (X[:, 0] > 0.5).astype(int)


@pytest.fixture
def xgb_autolog(tracking: mltrail.MlflowClient) -> Iterator[mltrail.MlflowClient]:
    from mltrail.autolog import xgboost as xgb_autolog

    xgb_autolog.autolog()
    yield tracking
    xgb_autolog.autolog(disable=True)


@pytest.fixture
def lgb_autolog(tracking: mltrail.MlflowClient) -> Iterator[mltrail.MlflowClient]:
    from mltrail.autolog import lightgbm as lgb_autolog

    lgb_autolog.autolog()
    yield tracking
    lgb_autolog.autolog(disable=True)


def history(client: mltrail.MlflowClient, run_id: str, key: str) -> list[tuple[int, float]]:
    return [(m.step, m.value) for m in client.get_metric_history(run_id, key)]


def read_json(client: mltrail.MlflowClient, run_id: str, path: str) -> Any:
    return json.loads(Path(client.download_artifacts(run_id, path)).read_text())


def only_run(client: mltrail.MlflowClient) -> Any:
    [run] = client.search_runs(["0"])
    return run


def test_xgboost_train(xgb_autolog: mltrail.MlflowClient) -> None:
    import xgboost as xgb

    client = xgb_autolog
    dtrain, dval = xgb.DMatrix(X[:40], label=Y[:40]), xgb.DMatrix(X[40:], label=Y[40:])
    mine: dict[str, Any] = {}
    params = {"objective": "binary:logistic", "max_depth": 2, "eval_metric": ["logloss", "error"]}
    booster = xgb.train(
        {**params, "nthread": 1},
        dtrain,
        num_boost_round=3,
        evals=[(dtrain, "train"), (dval, "val")],
        early_stopping_rounds=2,
        evals_result=mine,
        verbose_eval=False,
    )
    run = only_run(client)
    run_id = run.info.run_id
    # The same names and values MLflow logs for this call.
    assert run.data.params == {
        "custom_metric": "None",
        "early_stopping_rounds": "2",
        "eval_metric": "['logloss', 'error']",
        "max_depth": "2",
        "maximize": "None",
        "nthread": "1",
        "num_boost_round": "3",
        "objective": "binary:logistic",
        "verbose_eval": "False",
    }
    assert run.data.tags["mlflow.autologging"] == "xgboost"
    best = booster.best_iteration
    val_loss = mine["val"]["logloss"]
    assert history(client, run_id, "val-logloss") == [
        *enumerate(val_loss),
        (len(val_loss), val_loss[best]),
    ]
    assert set(run.data.metrics) == {
        "train-logloss",
        "train-error",
        "val-logloss",
        "val-error",
        "stopped_iteration",
        "best_iteration",
    }
    assert run.data.metrics["best_iteration"] == best
    assert run.data.metrics["stopped_iteration"] == len(val_loss) - 1
    assert sorted(a.path for a in client.list_artifacts(run_id)) == [
        "feature_importance_weight.json",
        "feature_importance_weight.png",
    ]
    assert read_json(client, run_id, "feature_importance_weight.json") == booster.get_score(
        importance_type="weight"
    )
    [output] = run.outputs.model_outputs
    loaded = mltrail.xgboost.load_model(f"models:/{output.model_id}")
    assert (loaded.predict(dval) == booster.predict(dval)).all()


def test_xgboost_sklearn_api_logs_once(xgb_autolog: mltrail.MlflowClient) -> None:
    import xgboost as xgb

    xgb.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1).fit(
        X, Y, eval_set=[(X, Y)], verbose=False
    )
    run = only_run(xgb_autolog)
    assert run.data.params["max_depth"] == "2"
    assert run.data.params["num_boost_round"] == "3"
    assert [s for s, _ in history(xgb_autolog, run.info.run_id, "validation_0-logloss")] == [
        0,
        1,
        2,
    ]


def test_lightgbm_train(lgb_autolog: mltrail.MlflowClient) -> None:
    import lightgbm as lgb

    client = lgb_autolog
    train = lgb.Dataset(X[:40], label=Y[:40])
    val = lgb.Dataset(X[40:], label=Y[40:], reference=train)
    mine: dict[str, Any] = {}
    params = {"objective": "binary", "num_leaves": 3, "min_data_in_leaf": 5, "verbose": -1}
    booster = lgb.train(
        {**params, "num_threads": 1, "metric": ["binary_logloss"]},
        train,
        num_boost_round=3,
        valid_sets=[train, val],
        valid_names=["train", "val"],
        callbacks=[lgb.record_evaluation(mine)],
    )
    run = only_run(client)
    run_id = run.info.run_id
    assert run.data.params == {
        "keep_training_booster": "False",
        "metric": "['binary_logloss']",
        "min_data_in_leaf": "5",
        "num_boost_round": "3",
        "num_leaves": "3",
        "num_threads": "1",
        "objective": "binary",
        "verbose": "-1",
    }
    assert history(client, run_id, "val-binary_logloss") == list(
        enumerate(mine["val"]["binary_logloss"])
    )
    assert set(run.data.metrics) == {"train-binary_logloss", "val-binary_logloss"}
    assert sorted(a.path for a in client.list_artifacts(run_id)) == [
        "feature_importance_gain.json",
        "feature_importance_gain.png",
        "feature_importance_split.json",
        "feature_importance_split.png",
    ]
    split = read_json(client, run_id, "feature_importance_split.json")
    assert split == dict(
        zip(booster.feature_name(), booster.feature_importance("split").tolist(), strict=True)
    )
    assert sum(split.values()) > 0
    assert set(read_json(client, run_id, "feature_importance_gain.json")) == {
        "Column_0",
        "Column_1",
        "Column_2",
    }
    [output] = run.outputs.model_outputs
    loaded = mltrail.lightgbm.load_model(f"models:/{output.model_id}")
    assert np.allclose(loaded.predict(X), booster.predict(X))


def test_lightgbm_user_callbacks_still_run_and_disable_restores(
    tracking: mltrail.MlflowClient,
) -> None:
    import lightgbm as lgb

    from mltrail.autolog import lightgbm as lgb_autolog

    original = lgb.train
    lgb_autolog.autolog(log_models=False)
    assert lgb.train is not original
    seen: list[int] = []
    lgb.train(
        {"objective": "binary", "verbose": -1, "num_threads": 1},
        lgb.Dataset(X, label=Y),
        num_boost_round=2,
        callbacks=[lambda env: seen.append(env.iteration)],
    )
    assert seen == [0, 1]
    lgb_autolog.autolog(disable=True)
    assert lgb.train is original
