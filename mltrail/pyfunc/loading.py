"""`load_model(uri)` for any flavor: the MLmodel's `python_function` entry names a loader
module (MLflow's names map to mltrail's), whose `_load_pyfunc(path)` builds the model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from mltrail.errors import InvalidParameter
from mltrail.models.code_model import ModelConfigSource, read_model_config
from mltrail.models.flavor import loader_module
from mltrail.models.flavor_support import add_code_to_path
from mltrail.models.model import PYFUNC_FLAVOR, Model
from mltrail.models.uris import download_model
from mltrail.pyfunc.pyfunc_model import PyFuncModel


def load_model(
    model_uri: str,
    suppress_warnings: bool = False,
    dst_path: str | None = None,
    model_config: ModelConfigSource | None = None,
) -> PyFuncModel:
    """Load a model saved or logged in any flavor as a `PyFuncModel`.

    `model_config` (a dict or a YAML file) overrides values of the config saved with the model.
    """
    local = download_model(str(model_uri), dst_path)
    meta = Model.load(local)
    conf = meta.flavors.get(PYFUNC_FLAVOR)
    if conf is None:
        raise InvalidParameter(
            f'Model does not have the "{PYFUNC_FLAVOR}" flavor; it has '
            f"{sorted(meta.flavors)}. Load it with its own flavor's load_model instead."
        )
    add_code_to_path(local, conf)
    config = _load_config(model_config)
    loader = loader_module(str(conf["loader_module"]))
    data_path = _data_path(local, conf)
    impl = loader._load_pyfunc(data_path, config) if config else loader._load_pyfunc(data_path)
    effective = {**(conf.get("config") or {}), **(config or {})}
    return PyFuncModel(meta, impl, conf.get("predict_fn", "predict"), effective)


def _data_path(local: str, conf: Mapping[str, Any]) -> str:
    for key in ("model_path", "data"):
        if conf.get(key):
            return os.path.join(local, str(conf[key]))
    return local


def _load_config(model_config: ModelConfigSource | None) -> dict[str, Any] | None:
    # Values given at load time need not be JSON-serializable (unlike when saving).
    if isinstance(model_config, Mapping):
        return dict(model_config) or None
    return read_model_config(model_config)
