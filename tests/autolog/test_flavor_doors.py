"""Each flavor module's `autolog` (MLflow's public place for it) reaches its integration."""

from __future__ import annotations

import importlib

import pytest

from mltrail.errors import MltrailError


@pytest.mark.parametrize(
    "flavor", ["sklearn", "xgboost", "lightgbm", "pytorch", "keras", "tensorflow"]
)
def test_flavor_autolog_delegates_to_its_integration(flavor: str) -> None:
    module = importlib.import_module(f"mltrail.{flavor}")
    # An option no integration knows is refused by the integration itself.
    with pytest.raises((MltrailError, TypeError), match="no_such_option"):
        module.autolog(no_such_option=True)
