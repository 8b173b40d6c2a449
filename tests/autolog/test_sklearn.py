"""scikit-learn autologging with real tiny training, read back through the client."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mltrail
import mltrail.sklearn
from mltrail.autolog import AutologgingWarning

RNG = np.random.RandomState(0)
X = RNG.rand(40, 3)
Y_CLASS = (X[:, 0] > 0.5).astype(int)
Y_REG = X @ np.array([1.0, 2.0, 3.0])
LOGREG_PARAMS = {
    "C": "1.0",
    "class_weight": "None",
    "dual": "False",
    "fit_intercept": "True",
    "intercept_scaling": "1",
    "l1_ratio": "0.0",
    "max_iter": "100",
    "n_jobs": "None",
    "penalty": "deprecated",
    "random_state": "None",
    "solver": "lbfgs",
    "tol": "0.0001",
    "verbose": "0",
    "warm_start": "False",
}


def last_run(client: mltrail.MlflowClient) -> Any:
    run = mltrail.last_active_run()
    assert run is not None
    return client.get_run(run.info.run_id)


def artifacts(client: mltrail.MlflowClient, run_id: str) -> list[str]:
    return sorted(a.path for a in client.list_artifacts(run_id))


def test_classifier(sklearn_autolog: mltrail.MlflowClient) -> None:
    from sklearn import metrics
    from sklearn.linear_model import LogisticRegression

    client = sklearn_autolog
    model = LogisticRegression().fit(X, Y_CLASS)
    run = last_run(client)
    assert artifacts(client, run.info.run_id) == [
        "estimator.html",
        "training_confusion_matrix.png",
        "training_precision_recall_curve.png",
        "training_roc_curve.png",
    ]
    png = Path(client.download_artifacts(run.info.run_id, "training_roc_curve.png")).read_bytes()
    assert png.startswith(b"\x89PNG")
    assert run.info.status == "FINISHED"
    assert run.data.params == LOGREG_PARAMS
    predicted, proba = model.predict(X), model.predict_proba(X)
    expected = {
        "training_score": model.score(X, Y_CLASS),
        "training_accuracy_score": metrics.accuracy_score(Y_CLASS, predicted),
        "training_precision_score": metrics.precision_score(Y_CLASS, predicted, average="weighted"),
        "training_recall_score": metrics.recall_score(Y_CLASS, predicted, average="weighted"),
        "training_f1_score": metrics.f1_score(Y_CLASS, predicted, average="weighted"),
        "training_log_loss": metrics.log_loss(Y_CLASS, proba),
        "training_roc_auc": metrics.roc_auc_score(Y_CLASS, proba[:, 1]),
    }
    assert run.data.metrics == pytest.approx(expected)
    # The values MLflow 3.17 logs for this very training.
    assert run.data.metrics["training_precision_score"] == pytest.approx(0.9543478260869565)
    assert run.data.metrics["training_log_loss"] == pytest.approx(0.4249933298581216)
    tags = run.data.tags
    assert tags["estimator_name"] == "LogisticRegression"
    assert tags["estimator_class"] == "sklearn.linear_model._logistic.LogisticRegression"
    assert tags["mlflow.autologging"] == "sklearn"
    [dataset_input] = run.inputs.dataset_inputs
    assert [(t.key, t.value) for t in dataset_input.tags] == [("mlflow.data.context", "train")]
    assert json.loads(dataset_input.dataset.profile)["features_shape"] == [40, 3]
    [output] = run.outputs.model_outputs
    logged = client.get_logged_model(output.model_id)
    assert logged.name == "model"
    assert logged.params == LOGREG_PARAMS
    loaded = mltrail.sklearn.load_model(f"models:/{output.model_id}")
    assert (loaded.predict(X) == predicted).all()
    mlmodel = mltrail.models.Model.load(f"models:/{output.model_id}")
    assert mlmodel.signature is not None
    assert mlmodel.signature.inputs.to_dict() == [
        {"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}
    ]
    assert mlmodel.saved_input_example_info is None  # log_input_examples defaults to False


def test_regressor(sklearn_autolog: mltrail.MlflowClient) -> None:
    from sklearn import metrics
    from sklearn.linear_model import Ridge

    model = Ridge(alpha=0.5).fit(X, Y_REG)
    run = last_run(sklearn_autolog)
    mse = metrics.mean_squared_error(Y_REG, model.predict(X))
    assert run.data.metrics == pytest.approx(
        {
            "training_score": model.score(X, Y_REG),
            "training_mean_squared_error": mse,
            "training_root_mean_squared_error": math.sqrt(mse),
            "training_mean_absolute_error": metrics.mean_absolute_error(Y_REG, model.predict(X)),
            "training_r2_score": metrics.r2_score(Y_REG, model.predict(X)),
        }
    )
    assert run.data.params["alpha"] == "0.5"
    assert run.data.tags["estimator_name"] == "Ridge"


def test_pipeline_logs_one_run_with_flattened_params(
    sklearn_autolog: mltrail.MlflowClient,
) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(C=2.0))]).fit(X, Y_CLASS)
    [run] = sklearn_autolog.search_runs(["0"])
    assert run.data.tags["estimator_name"] == "Pipeline"
    assert run.data.params["clf__C"] == "2.0"
    assert run.data.params["scale__with_mean"] == "True"
    assert (
        run.data.params["steps"]
        == "[('scale', StandardScaler()), ('clf', LogisticRegression(C=2.0))]"
    )
    assert len(run.outputs.model_outputs) == 1


def test_grid_search(sklearn_autolog: mltrail.MlflowClient) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    client = sklearn_autolog
    mltrail.sklearn.autolog(max_tuning_runs=2)
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0, 10.0]}, cv=2).fit(X, Y_CLASS)
    parent = last_run(client)
    assert artifacts(client, parent.info.run_id) == [
        "cv_results.csv",
        "estimator.html",
        "training_confusion_matrix.png",
        "training_precision_recall_curve.png",
        "training_roc_curve.png",
    ]
    assert parent.data.params["best_C"] == str(search.best_params_["C"])
    assert parent.data.params["param_grid"] == "{'C': [0.1, 1.0, 10.0]}"
    assert parent.data.metrics["best_cv_score"] == pytest.approx(search.best_score_)
    assert parent.data.metrics["training_score"] == pytest.approx(search.score(X, Y_CLASS))
    csv = Path(client.download_artifacts(parent.info.run_id, "cv_results.csv")).read_text()
    assert csv.splitlines()[0].startswith("mean_fit_time,")
    assert len(csv.splitlines()) == 4
    names = {client.get_logged_model(o.model_id).name for o in parent.outputs.model_outputs}
    assert names == {"model", "best_estimator"}
    children = client.search_runs(
        ["0"],
        f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
        order_by=["metrics.rank_test_score"],
    )
    ranks = search.cv_results_["rank_test_score"]
    best_two = sorted(range(3), key=lambda i: ranks[i])[:2]
    by_c = {c.data.params["C"]: c for c in children}
    assert sorted(by_c) == sorted(str(search.cv_results_["params"][i]["C"]) for i in best_two)
    for index in best_two:
        child = by_c[str(search.cv_results_["params"][index]["C"])]
        assert set(child.data.metrics) == {
            "mean_fit_time",
            "std_fit_time",
            "mean_score_time",
            "std_score_time",
            "mean_test_score",
            "std_test_score",
            "rank_test_score",
        }
        assert child.data.metrics["mean_test_score"] == search.cv_results_["mean_test_score"][index]
        assert child.data.params["solver"] == "lbfgs"
        assert child.data.tags["estimator_name"] == "LogisticRegression"
        assert child.info.status == "FINISHED"
    # The candidates' own fits (and the refit) logged no runs of their own.
    assert len(client.search_runs(["0"])) == 3


def test_post_training_metrics(sklearn_autolog: mltrail.MlflowClient) -> None:
    import sklearn.metrics
    from sklearn.linear_model import LogisticRegression

    client = sklearn_autolog
    model = LogisticRegression().fit(X, Y_CLASS)
    run_id = last_run(client).info.run_id
    X_test, y_test = X[:10], Y_CLASS[:10]
    pred = model.predict(X_test)
    accuracy = sklearn.metrics.accuracy_score(y_test, pred)
    sklearn.metrics.accuracy_score(y_test, pred)
    f1 = sklearn.metrics.f1_score(y_test, pred)
    score = model.score(X, Y_CLASS)
    sklearn.metrics.accuracy_score(y_test, y_test)  # not a prediction: not logged
    metrics = client.get_run(run_id).data.metrics
    post = {k: v for k, v in metrics.items() if not k.startswith("training_")}
    assert post == {
        "accuracy_score_X_test": accuracy,
        "accuracy_score-2_X_test": accuracy,
        "f1_score_X_test": f1,
        "LogisticRegression_score_X": score,
    }
    info = json.loads(Path(client.download_artifacts(run_id, "metric_info.json")).read_text())
    assert info == {
        "LogisticRegression_score_X": "LogisticRegression.score(X=X, y=Y_CLASS)",
        "accuracy_score-2_X_test": "accuracy_score(y_true=y_test, y_pred=pred)",
        "accuracy_score_X_test": "accuracy_score(y_true=y_test, y_pred=pred)",
        "f1_score_X_test": "f1_score(y_true=y_test, y_pred=pred)",
    }
    contexts = sorted(t.value for d in client.get_run(run_id).inputs.dataset_inputs for t in d.tags)
    assert contexts == ["eval", "train"]  # X_test (predicted on; `score` logs none), training


def test_options_turn_parts_off(sklearn_autolog: mltrail.MlflowClient) -> None:
    from sklearn.linear_model import LogisticRegression

    mltrail.sklearn.autolog(log_models=False, log_datasets=False, log_post_training_metrics=False)
    model = LogisticRegression().fit(X, Y_CLASS)
    run_id = last_run(sklearn_autolog).info.run_id
    model.score(X, Y_CLASS)
    run = sklearn_autolog.get_run(run_id)
    assert run.outputs.model_outputs == ()
    assert run.inputs.dataset_inputs == ()
    assert "LogisticRegression_score_X" not in run.data.metrics


def test_input_example_and_registered_model(sklearn_autolog: mltrail.MlflowClient) -> None:
    from sklearn.linear_model import LogisticRegression

    mltrail.sklearn.autolog(log_input_examples=True, registered_model_name="clf")
    LogisticRegression().fit(X, Y_CLASS)
    [output] = last_run(sklearn_autolog).outputs.model_outputs
    mlmodel = mltrail.models.Model.load(f"models:/{output.model_id}")
    assert mlmodel.saved_input_example_info is not None
    [version] = sklearn_autolog.search_model_versions("name = 'clf'")
    assert version.version == "1"


def test_store_failure_warns_and_training_succeeds(
    sklearn_autolog: mltrail.MlflowClient, tmp_path: Path
) -> None:
    from sklearn.linear_model import LogisticRegression

    # A regular file where the artifact root directory should be: every artifact write fails.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    mltrail.set_experiment(
        experiment_id=sklearn_autolog.create_experiment("ro", artifact_location=str(blocker))
    )
    with pytest.warns(AutologgingWarning) as caught:
        model = LogisticRegression().fit(X, Y_CLASS)
    assert (model.predict(X) == Y_CLASS).mean() > 0.9
    messages = " ".join(str(w.message) for w in caught)
    assert "failed to log estimator.html" in messages
    assert "failed to log training_roc_curve.png" in messages
    assert "failed to log the model" in messages
    run = last_run(sklearn_autolog)
    assert run.info.status == "FINISHED"
    assert run.data.params == LOGREG_PARAMS  # what the store could take was still logged
    assert "training_score" in run.data.metrics


def test_store_rejecting_changed_params_in_a_user_run(
    sklearn_autolog: mltrail.MlflowClient,
) -> None:
    from sklearn.linear_model import LogisticRegression

    with mltrail.start_run() as run:
        LogisticRegression(C=1.0).fit(X, Y_CLASS)
        with pytest.warns(AutologgingWarning, match="failed to log params"):
            refit = LogisticRegression(C=5.0).fit(X, Y_CLASS)
    assert refit.C == 5.0
    assert sklearn_autolog.get_run(run.info.run_id).data.params["C"] == "1.0"


def test_user_exception_from_fit_is_unchanged(sklearn_autolog: mltrail.MlflowClient) -> None:
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(ValueError, match="Found input variables with inconsistent numbers") as e:
        LogisticRegression().fit(X, Y_CLASS[:5])
    assert type(e.value) is ValueError
    assert last_run(sklearn_autolog).info.status == "FAILED"


def test_disable_restores_originals(tracking: mltrail.MlflowClient) -> None:
    import sklearn.metrics
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    fit, score = LogisticRegression.__dict__["fit"], sklearn.metrics.accuracy_score
    predict_fn = Pipeline.__dict__["predict"].fn
    mltrail.sklearn.autolog()
    assert LogisticRegression.__dict__["fit"] is not fit
    assert sklearn.metrics.accuracy_score is not score
    assert Pipeline.__dict__["predict"].fn is not predict_fn
    mltrail.sklearn.autolog(disable=True)
    assert LogisticRegression.__dict__["fit"] is fit
    assert sklearn.metrics.accuracy_score is score
    assert Pipeline.__dict__["predict"].fn is predict_fn
    LogisticRegression().fit(X, Y_CLASS)
    assert tracking.search_runs(["0"]) == []


@pytest.mark.slow
def test_universal_autolog_patches_sklearn_imported_later(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        "import sys\n"
        "import mltrail\n"
        "mltrail.autolog(log_models=False)\n"
        "assert 'sklearn' not in sys.modules\n"
        "from sklearn.tree import DecisionTreeClassifier\n"
        "DecisionTreeClassifier(max_depth=2).fit([[0], [1], [2], [3]], [0, 0, 1, 1])\n"
        "print(mltrail.last_active_run().info.run_id)\n"
    )
    uri = f"sqlite:///{tmp_path / 'mltrail.db'}"
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    run = mltrail.MlflowClient(uri).get_run(done.stdout.split()[-1])
    assert run.data.params["max_depth"] == "2"
    assert run.data.metrics["training_accuracy_score"] == 1.0
    assert run.data.tags["mlflow.autologging"] == "sklearn"


def test_no_warnings_on_a_clean_training(sklearn_autolog: mltrail.MlflowClient) -> None:
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression().fit(X, Y_CLASS)


def test_threads_train_into_their_own_runs(sklearn_autolog: mltrail.MlflowClient) -> None:
    import threading

    import sklearn.metrics
    from sklearn.linear_model import LogisticRegression

    failures: list[BaseException] = []
    scores: dict[str, float] = {}

    def train(c: float) -> None:
        try:
            model = LogisticRegression(C=c).fit(X, Y_CLASS)
            run_id = mltrail.last_active_run().info.run_id  # type: ignore[union-attr]
            X_eval = X[:20]
            scores[run_id] = sklearn.metrics.accuracy_score(Y_CLASS[:20], model.predict(X_eval))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=train, args=(c,)) for c in (0.1, 1.0, 10.0, 100.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    runs = sklearn_autolog.search_runs(["0"])
    assert sorted(float(r.data.params["C"]) for r in runs) == [0.1, 1.0, 10.0, 100.0]
    for run in runs:
        assert run.info.status == "FINISHED"
        assert run.data.metrics["accuracy_score_X_eval"] == scores[run.info.run_id]
        assert len(run.outputs.model_outputs) == 1
