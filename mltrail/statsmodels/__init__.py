"""The statsmodels flavor (`mlflow.statsmodels` equivalent): save, log and load fitted results.

Results are stored with statsmodels' own `save` (a pickle, optionally without the training
data) as `model.statsmodels`; the MLmodel entry uses MLflow's keys (`data`,
`statsmodels_version`), so files cross both ways. Like any pickle, only load models you trust.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models import environment
from mltrail.models.flavor_support import download_flavor, pyfunc_data, save_flavor
from mltrail.models.log import log_model as log_saved_model
from mltrail.models.model import Model, ModelInfo
from mltrail.models.signature import ModelSignature

FLAVOR_NAME = "statsmodels"
STATSMODELS_DATA_SUBPATH = "model.statsmodels"


def get_default_pip_requirements() -> list[str]:
    return environment.requirements_for_modules(["statsmodels"])


def save_model(
    statsmodels_model: Any,
    path: str | os.PathLike[str],
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    mlflow_model: Model | None = None,
    remove_data: bool = False,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    extra_files: Sequence[str] | None = None,
) -> None:
    """Save fitted statsmodels results; `remove_data` drops the training arrays first."""
    if not callable(getattr(statsmodels_model, "save", None)) or not hasattr(
        statsmodels_model, "predict"
    ):
        raise InvalidParameter(
            "Expected fitted statsmodels results (the object `.fit()` returns), got "
            f"{type(statsmodels_model)}"
        )
    import statsmodels  # type: ignore[import-untyped]

    def write(local: str) -> dict[str, Any]:
        target = os.path.join(local, STATSMODELS_DATA_SUBPATH)
        statsmodels_model.save(target, remove_data=remove_data)
        return {"data": STATSMODELS_DATA_SUBPATH, "statsmodels_version": statsmodels.__version__}

    save_flavor(
        path,
        mlflow_model,
        flavor_name=FLAVOR_NAME,
        loader_module="mlflow.statsmodels",
        write=write,
        pyfunc_fields={"data": STATSMODELS_DATA_SUBPATH},
        code_paths=code_paths,
        extra_files=extra_files,
        signature=signature,
        input_example=input_example,
        metadata=metadata,
        default_requirements=environment.requirements_for_modules(
            ["statsmodels", "numpy", "scipy", "pandas"]
        ),
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
        predict=lambda data, params: _StatsmodelsModelWrapper(statsmodels_model).predict(data),
    )


def log_model(
    statsmodels_model: Any,
    artifact_path: str | None = None,
    conda_env: Any = None,
    code_paths: Sequence[str] | None = None,
    registered_model_name: str | None = None,
    remove_data: bool = False,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    await_registration_for: int = 300,
    pip_requirements: environment.Requirements = None,
    extra_pip_requirements: environment.Requirements = None,
    metadata: Mapping[str, Any] | None = None,
    extra_files: Sequence[str] | None = None,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Log fitted statsmodels results as an MLflow 3 LoggedModel (of the active run, if any).

    `kwargs` are accepted for MLflow compatibility; statsmodels' `save` takes none.
    """
    return log_saved_model(
        save_model,
        name=name,
        artifact_path=artifact_path,
        registered_model_name=registered_model_name,
        await_registration_for=await_registration_for,
        params=params,
        tags=tags,
        model_type=model_type,
        step=step,
        model_id=model_id,
        statsmodels_model=statsmodels_model,
        conda_env=conda_env,
        code_paths=code_paths,
        remove_data=remove_data,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        extra_files=extra_files,
    )


def load_model(model_uri: str, dst_path: str | None = None) -> Any:
    """The fitted results saved at `model_uri` (any model URI)."""
    local, conf = download_flavor(model_uri, FLAVOR_NAME, dst_path)
    return _load(os.path.join(local, conf.get("data", STATSMODELS_DATA_SUBPATH)))


def _load(source: str) -> Any:
    from statsmodels.iolib.smpickle import load_pickle  # type: ignore[import-untyped]

    return load_pickle(source)


class _StatsmodelsModelWrapper:
    """The pyfunc view. Time-series results forecast: the input is one row with `start` and
    `end`; other results predict from the input's exogenous columns."""

    def __init__(self, statsmodels_model: Any) -> None:
        self.statsmodels_model = statsmodels_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        from statsmodels.tsa.base.tsa_model import TimeSeriesModel  # type: ignore[import-untyped]

        if not isinstance(getattr(self.statsmodels_model, "model", None), TimeSeriesModel):
            return self.statsmodels_model.predict(data)
        columns = set(getattr(data, "columns", ()))
        if len(data) != 1 or not {"start", "end"} <= columns:
            raise InvalidParameter(
                "A time-series model predicts from exactly one row with columns 'start' and "
                f"'end' (got {len(data)} row(s) with columns {sorted(map(str, columns))})"
            )
        row = data.iloc[0]
        return self.statsmodels_model.predict(start=row["start"], end=row["end"])

    def get_raw_model(self) -> Any:
        return self.statsmodels_model


def _load_pyfunc(path: str, model_config: Any = None) -> _StatsmodelsModelWrapper:
    """Loader for the `python_function` flavor; `path` is the saved results file."""
    source, _conf = pyfunc_data(path, FLAVOR_NAME)
    return _StatsmodelsModelWrapper(_load(source))
