"""The statsmodels flavor: regression and time-series results saved, logged, loaded, and
crossed with the official `mlflow` package."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import mltrail
import mltrail.pyfunc
import mltrail.statsmodels
from mltrail.errors import MltrailError
from mltrail.models.flavor import Flavor, get_flavor

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before the lazily imported framework loads

EXOG = pd.DataFrame(
    {"const": 1.0, "a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "b": [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]}
)
TARGET = np.array([1.1, 2.9, 3.2, 5.1, 4.8, 7.2])
WINDOW = pd.DataFrame({"start": [30], "end": [33]})


@pytest.fixture(scope="module")
def ols() -> Any:
    import statsmodels.api as sm

    return sm.OLS(TARGET, EXOG).fit()


@pytest.fixture(scope="module")
def arima() -> Any:
    from statsmodels.tsa.arima.model import ARIMA

    series = np.sin(np.arange(30) / 3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optimizer chatter on a tiny series
        return ARIMA(series, order=(1, 0, 0)).fit()


def test_save_and_load_regression(tmp_path: Path, ols: Any) -> None:
    target = tmp_path / "m"
    mltrail.statsmodels.save_model(ols, target, input_example=EXOG.head(2))
    fields = yaml.safe_load((target / "MLmodel").read_text())
    assert fields["flavors"]["statsmodels"]["data"] == "model.statsmodels"
    assert "statsmodels_version" in fields["flavors"]["statsmodels"]
    assert fields["flavors"]["python_function"]["loader_module"] == "mlflow.statsmodels"
    assert fields["flavors"]["python_function"]["data"] == "model.statsmodels"
    assert "statsmodels==" in (target / "requirements.txt").read_text()
    reloaded = mltrail.statsmodels.load_model(str(target))
    np.testing.assert_allclose(reloaded.params, ols.params)
    loaded = mltrail.pyfunc.load_model(str(target))
    np.testing.assert_allclose(loaded.predict(EXOG), ols.predict(EXOG))
    signature = loaded.metadata.signature
    assert signature is not None
    assert signature.inputs is not None
    assert signature.inputs.input_names() == ["const", "a", "b"]
    with pytest.raises(MltrailError, match="b"):
        loaded.predict(EXOG[["const", "a"]])


def test_remove_data_drops_the_training_arrays(tmp_path: Path, ols: Any) -> None:
    mltrail.statsmodels.save_model(ols, tmp_path / "full")
    mltrail.statsmodels.save_model(ols, tmp_path / "slim", remove_data=True)
    full = (tmp_path / "full" / "model.statsmodels").stat().st_size
    slim = (tmp_path / "slim" / "model.statsmodels").stat().st_size
    assert slim < full
    slim_model = mltrail.statsmodels.load_model(str(tmp_path / "slim"))
    np.testing.assert_allclose(slim_model.predict(EXOG), ols.predict(EXOG))


def test_time_series_forecast_window(tmp_path: Path, arima: Any) -> None:
    mltrail.statsmodels.save_model(arima, tmp_path / "m")
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict(WINDOW), arima.predict(start=30, end=33))
    with pytest.raises(MltrailError, match="exactly one row with columns 'start' and 'end'"):
        loaded.predict(pd.DataFrame({"start": [30, 31], "end": [33, 34]}))


def test_bad_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MltrailError, match="Expected fitted statsmodels results"):
        mltrail.statsmodels.save_model("not a model", tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_log_model_and_load_by_uri(ols: Any) -> None:
    with mltrail.start_run() as run:
        info = mltrail.statsmodels.log_model(ols, name="ols", registered_model_name="ols")
    assert set(info.flavors) == {"python_function", "statsmodels"}
    expected = ols.predict(EXOG)
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/ols", "models:/ols/1"):
        np.testing.assert_allclose(mltrail.statsmodels.load_model(uri).predict(EXOG), expected)
        np.testing.assert_allclose(mltrail.pyfunc.load_model(uri).predict(EXOG), expected)


def test_registered_as_a_builtin_flavor() -> None:
    assert get_flavor("statsmodels") is mltrail.statsmodels
    assert isinstance(mltrail.statsmodels, Flavor)


def _mlflow() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.pyfunc
        import mlflow.statsmodels
    return mlflow


@pytest.mark.compat
@pytest.mark.slow
def test_mltrail_models_load_in_mlflow(tmp_path: Path, ols: Any, arima: Any) -> None:
    mlflow = _mlflow()
    mltrail.statsmodels.save_model(ols, tmp_path / "ols", input_example=EXOG.head(2))
    mltrail.statsmodels.save_model(arima, tmp_path / "arima")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = mlflow.pyfunc.load_model(str(tmp_path / "ols")).predict(EXOG)
        forecast = mlflow.pyfunc.load_model(str(tmp_path / "arima")).predict(WINDOW)
        native = mlflow.statsmodels.load_model(str(tmp_path / "ols"))
    np.testing.assert_allclose(theirs, ols.predict(EXOG))
    np.testing.assert_allclose(forecast, arima.predict(start=30, end=33))
    np.testing.assert_allclose(native.params, ols.params)


@pytest.mark.compat
@pytest.mark.slow
def test_mlflow_models_load_in_mltrail(tmp_path: Path, ols: Any, arima: Any) -> None:
    mlflow = _mlflow()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Explicit requirements skip MLflow's slow subprocess-based inference.
        mlflow.statsmodels.save_model(
            ols, tmp_path / "ols", input_example=EXOG.head(2), pip_requirements=["statsmodels"]
        )
        mlflow.statsmodels.save_model(arima, tmp_path / "arima", pip_requirements=["statsmodels"])
    loaded = mltrail.pyfunc.load_model(str(tmp_path / "ols"))
    assert loaded.metadata.signature is not None
    np.testing.assert_allclose(loaded.predict(EXOG), ols.predict(EXOG))
    np.testing.assert_allclose(
        mltrail.statsmodels.load_model(str(tmp_path / "ols")).params, ols.params
    )
    forecast = mltrail.pyfunc.load_model(str(tmp_path / "arima")).predict(WINDOW)
    np.testing.assert_allclose(forecast, arima.predict(start=30, end=33))
