"""Loading a model natively through any flavor makes its saved `code_paths` importable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sklearn.linear_model import LinearRegression

import mltrail.sklearn
from mltrail.models.flavor_support import download_flavor


def test_native_load_makes_saved_code_importable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    helper = tmp_path / "src" / "my_features.py"
    helper.parent.mkdir()
    helper.write_text("SCALE = 3\n")
    model = LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0])
    mltrail.sklearn.save_model(model, str(tmp_path / "model"), code_paths=[str(helper)])
    monkeypatch.setattr(sys, "path", list(sys.path))  # restored after the test
    monkeypatch.delitem(sys.modules, "my_features", raising=False)

    local, conf = download_flavor(str(tmp_path / "model"), "sklearn")

    assert conf["code"] == "code"
    assert str(Path(local) / "code") in sys.path
    import my_features  # type: ignore[import-not-found]

    assert my_features.SCALE == 3
