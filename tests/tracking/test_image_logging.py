"""`mltrail.Image` and step-wise `log_image(key=, step=)`, checked against what the installed
official `mlflow` writes for the same calls (run in a subprocess on its own file store)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import mltrail
from mltrail.store.tracking.base import TrackingStore

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# The same calls for both libraries: `lib` is `mlflow` or `mltrail`, `pixels(h, w)` an array.
CALLS = """
small = pixels(30, 40)
lib.log_image(small, key="val/sample", step=3, timestamp=123, synchronous=True)
lib.log_image(lib.Image(pixels(600, 300)), key="val/sample", step=4, timestamp=456,
              synchronous=True)
lib.log_image(small, key="grid", step=0, timestamp=789, synchronous=True)
"""

MLFLOW_SCRIPT = """
import json, os, sys
import numpy as np
import mlflow as lib

def pixels(h, w):
    return (np.arange(h * w * 3).reshape(h, w, 3) % 251).astype(np.uint8)

lib.set_tracking_uri(sys.argv[1])
with lib.start_run() as run:
{calls}
print(json.dumps({{"artifacts": lib.get_run(run.info.run_id).info.artifact_uri,
                   "tags": lib.get_run(run.info.run_id).data.tags}}))
"""


def pixels(height: int, width: int) -> np.ndarray[Any, Any]:
    return (np.arange(height * width * 3).reshape(height, width, 3) % 251).astype(np.uint8)


def _layout(root: Path) -> dict[str, dict[str, Any]]:
    """Each file under images/, its uuid replaced, with its format, size and pixels digest."""
    from PIL import Image

    found = {}
    for path in sorted((root / "images").iterdir()):
        with Image.open(path) as image:
            found[UUID.sub("<uuid>", path.name)] = {
                "format": image.format,
                "size": image.size,
                "mode": image.mode,
                "pixels": np.asarray(image).tobytes() if image.format == "PNG" else None,
            }
    return found


@pytest.fixture(scope="module")
def mlflow_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the official mlflow wrote for CALLS: its artifact layout and its run tags."""
    work = tmp_path_factory.mktemp("mlflow-images")
    indented = "\n".join("    " + line for line in CALLS.strip().splitlines())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    env["MLFLOW_ALLOW_FILE_STORE"] = "true"
    done = subprocess.run(
        [sys.executable, "-c", MLFLOW_SCRIPT.format(calls=indented), (work / "mlruns").as_uri()],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["layout"] = _layout(Path(result["artifacts"].removeprefix("file://")))
    return result


def _mltrail_run(reader: TrackingStore) -> tuple[dict[str, Any], dict[str, str]]:
    from mltrail.store.artifacts.local import local_path_of

    with mltrail.start_run() as run:
        exec(CALLS, {"lib": mltrail, "pixels": pixels})
    found = reader.get_run(run.info.run_id)
    return _layout(local_path_of(found.info.artifact_uri)), found.data.tags


def test_step_images_are_laid_out_as_mlflow_lays_them_out(
    mlflow_run: dict[str, Any], reader: TrackingStore
) -> None:
    layout, tags = _mltrail_run(reader)
    expected = mlflow_run["layout"]
    assert sorted(layout) == sorted(expected)
    assert "val~sample+step+3+timestamp+123+<uuid>+compressed.webp" in layout
    for name, image in layout.items():
        theirs = expected[name]
        assert (image["format"], image["size"], image["mode"]) == (
            theirs["format"],
            theirs["size"],
            theirs["mode"],
        ), name
        # Full-resolution images are lossless PNGs of the same pixels.
        assert image["pixels"] == theirs["pixels"], name
    assert tags["mlflow.loggedImages"] == mlflow_run["tags"]["mlflow.loggedImages"] == "True"


def test_thumbnails_fit_256_pixels_up_or_down(reader: TrackingStore) -> None:
    layout, _ = _mltrail_run(reader)
    sizes = {name: image["size"] for name, image in layout.items() if "compressed" in name}
    assert sizes == {
        "val~sample+step+3+timestamp+123+<uuid>+compressed.webp": (256, 192),
        "val~sample+step+4+timestamp+456+<uuid>+compressed.webp": (128, 256),
        "grid+step+0+timestamp+789+<uuid>+compressed.webp": (256, 192),
    }


def test_each_step_gets_its_own_files(reader: TrackingStore) -> None:
    from mltrail.store.artifacts.local import local_path_of

    with mltrail.start_run() as run:
        for step in range(3):
            mltrail.log_image(pixels(8, 8), key="same", step=step, timestamp=1)
        mltrail.log_image(pixels(8, 8), key="same", step=0, timestamp=1)  # a second one at 0
    root = local_path_of(reader.get_run(run.info.run_id).info.artifact_uri) / "images"
    names = [UUID.sub("<uuid>", p.name) for p in root.iterdir()]
    assert sorted(names) == sorted(
        [
            f"same+step+{s}+timestamp+1+<uuid>{end}"
            for s in (0, 0, 1, 2)
            for end in (".png", "+compressed.webp")
        ]
    )


class TestImage:
    def test_from_array_list_pil_and_path(self, tmp_path: Path) -> None:
        from PIL import Image as PILImage

        array = pixels(5, 7)
        from_array = mltrail.Image(array)
        assert from_array.size == (7, 5)
        assert np.array_equal(from_array.to_array(), array)
        assert np.array_equal(mltrail.Image(array.tolist()).to_array(), array)
        pil = PILImage.new("L", (3, 2), 9)
        assert mltrail.Image(pil).to_pil() is pil
        from_array.save(str(tmp_path / "x.png"))
        loaded = mltrail.Image(str(tmp_path / "x.png"))
        assert np.array_equal(loaded.to_array(), array)

    def test_methods_agree_with_mlflow_image(self) -> None:
        from mlflow.tracking.multimedia import Image as MlflowImage

        array = pixels(6, 4)
        ours, theirs = mltrail.Image(array), MlflowImage(array)
        assert ours.size == theirs.size
        with warnings.catch_warnings():  # mlflow calls Pillow's deprecated `getdata`
            warnings.simplefilter("ignore", DeprecationWarning)
            assert ours.to_list() == theirs.to_list()
        assert np.array_equal(ours.to_array(), theirs.to_array())
        assert ours.resize((2, 3)).size == theirs.resize((2, 3)).size == (2, 3)
        assert np.array_equal(ours.resize((2, 3)).to_array(), theirs.resize((2, 3)).to_array())
        gray = np.linspace(0.0, 1.0, 12).reshape(3, 4)
        assert np.array_equal(mltrail.Image(gray).to_array(), MlflowImage(gray).to_array())

    def test_unsupported_type_is_a_type_error(self) -> None:
        with pytest.raises(TypeError, match="Unsupported image object type"):
            mltrail.Image(42)  # type: ignore[arg-type]

    def test_logged_as_a_file_too(self, reader: TrackingStore) -> None:
        from PIL import Image as PILImage

        from mltrail.store.artifacts.local import local_path_of

        with mltrail.start_run() as run:
            mltrail.log_image(mltrail.Image(pixels(4, 4)), artifact_file="plain.png")
        root = local_path_of(reader.get_run(run.info.run_id).info.artifact_uri)
        assert np.array_equal(np.asarray(PILImage.open(root / "plain.png")), pixels(4, 4))


def test_a_thin_strip_keeps_a_one_pixel_thumbnail(reader: TrackingStore) -> None:
    from PIL import Image as PILImage

    from mltrail.store.artifacts.local import local_path_of

    with mltrail.start_run() as run:
        mltrail.log_image(np.zeros((1, 600), dtype=np.uint8), key="strip", step=0)
    root = local_path_of(reader.get_run(run.info.run_id).info.artifact_uri) / "images"
    (thumbnail,) = root.glob("*+compressed.webp")
    assert PILImage.open(thumbnail).size == (256, 1)
