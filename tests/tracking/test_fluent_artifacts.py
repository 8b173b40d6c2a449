"""Fluent artifact logging and `mltrail.artifacts` on the embedded store's local artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mltrail as mlflow
from mltrail.errors import MltrailError
from mltrail.store.tracking.base import TrackingStore


def _root(store: TrackingStore, run_id: str) -> Path:
    from mltrail.store.artifacts.local import local_path_of

    return local_path_of(store.get_run(run_id).info.artifact_uri)


def test_files_and_directories(tmp_path: Path, reader: TrackingStore) -> None:
    (tmp_path / "confusion_matrix.png").write_bytes(b"png-bytes")
    models = tmp_path / "models"
    (models / "sub").mkdir(parents=True)
    (models / "model.pkl").write_bytes(b"weights")
    (models / "sub" / "meta.txt").write_text("meta")
    with mlflow.start_run() as run:
        mlflow.log_artifact("confusion_matrix.png")
        mlflow.log_artifact("confusion_matrix.png", artifact_path="plots")
        mlflow.log_artifacts("models/")
        mlflow.log_artifacts(str(models), artifact_path="copy")
        mlflow.log_artifact(str(models))  # a directory keeps its own name
    root = _root(reader, run.info.run_id)
    assert (root / "confusion_matrix.png").read_bytes() == b"png-bytes"
    assert (root / "plots" / "confusion_matrix.png").exists()
    assert (root / "model.pkl").read_bytes() == b"weights"
    assert (root / "sub" / "meta.txt").read_text() == "meta"
    assert (root / "copy" / "sub" / "meta.txt").exists()
    assert (root / "models" / "model.pkl").exists()
    client = mlflow.MlflowClient()
    listed = {(f.path, f.is_dir) for f in client.list_artifacts(run.info.run_id)}
    assert ("confusion_matrix.png", False) in listed
    assert ("plots", True) in listed


def test_text_and_dicts(reader: TrackingStore) -> None:
    data = {"b": 1, "a": [1, 2], "c": {"z": "é"}}
    with mlflow.start_run() as run:
        mlflow.log_text("héllo", "notes/readme.txt")
        mlflow.log_dict(data, "config.json")
        mlflow.log_dict(data, "config.yaml")
    root = _root(reader, run.info.run_id)
    assert (root / "notes" / "readme.txt").read_text(encoding="utf-8") == "héllo"
    # MLflow's formats: JSON indented by 2 in insertion order; YAML block style, sorted keys.
    assert (root / "config.json").read_text() == json.dumps(data, indent=2)
    assert (root / "config.yaml").read_text() == 'a:\n- 1\n- 2\nb: 1\nc:\n  z: "\\xE9"\n'
    uri = f"runs:/{run.info.run_id}/config.json"
    assert mlflow.artifacts.load_dict(uri) == data
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes/readme.txt") == "héllo"


def test_matplotlib_figure(reader: TrackingStore) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    axes.plot([1, 2, 3])
    with mlflow.start_run() as run:
        mlflow.log_figure(figure, "plots/curve.png")
        mlflow.log_figure(figure, "plots/curve.svg")
    plt.close(figure)
    root = _root(reader, run.info.run_id)
    assert (root / "plots" / "curve.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (root / "plots" / "curve.svg").read_bytes()


def test_plotly_figure(reader: TrackingStore) -> None:
    import plotly.graph_objects as go

    figure = go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2], name="loss"))
    with mlflow.start_run() as run:
        mlflow.log_figure(figure, "plots/loss.html")
        # Static images need plotly's optional Kaleido renderer, which says so.
        with pytest.raises(RuntimeError, match="Kaleido"):
            mlflow.log_figure(figure, "plots/loss.png")
    page = (_root(reader, run.info.run_id) / "plots" / "loss.html").read_text()
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert '"name":"loss"' in page
    assert not (_root(reader, run.info.run_id) / "plots" / "loss.png").exists()


def test_unsupported_figure_raises() -> None:
    with mlflow.start_run(), pytest.raises(MltrailError, match="Unsupported figure"):
        mlflow.log_figure(object(), "x.png")


def test_images_by_file_and_by_step(reader: TrackingStore) -> None:
    from PIL import Image

    pixels = np.zeros((600, 300, 3), dtype=np.uint8)
    pixels[:, :, 0] = 255
    with mlflow.start_run() as run:
        mlflow.log_image(pixels, "red.png")
        mlflow.log_image(Image.new("L", (10, 10), 128), "gray.png")
        mlflow.log_image(np.full((4, 4), 0.5), "float.png")
        mlflow.log_image(pixels, key="val/sample", step=3)
    root = _root(reader, run.info.run_id)
    assert Image.open(root / "red.png").getpixel((0, 0)) == (255, 0, 0)
    assert Image.open(root / "gray.png").getpixel((0, 0)) == 128
    assert Image.open(root / "float.png").getpixel((0, 0)) == 127
    names = sorted(p.name for p in (root / "images").iterdir())
    assert len(names) == 2
    assert names[0].startswith("val~sample+step+3+timestamp+")
    assert names[0].endswith("+compressed.webp")
    assert names[1].endswith(".png")
    assert Image.open(root / "images" / names[0]).size == (128, 256)
    assert Image.open(root / "images" / names[1]).size == (300, 600)
    assert reader.get_run(run.info.run_id).data.tags["mlflow.loggedImages"] == "True"
    loaded = mlflow.artifacts.load_image(f"runs:/{run.info.run_id}/red.png")
    assert loaded.size == (300, 600)


@pytest.mark.parametrize(
    "bad",
    [np.full((2, 2), 300), np.full((2, 2), 1.5), np.zeros((2, 2, 5), dtype=np.uint8)],
)
def test_bad_image_arrays_are_refused(bad: np.ndarray) -> None:
    with mlflow.start_run(), pytest.raises(MltrailError):
        mlflow.log_image(bad, "x.png")


def test_image_needs_exactly_one_destination() -> None:
    with mlflow.start_run(), pytest.raises(MltrailError, match="exactly one"):
        mlflow.log_image(np.zeros((2, 2)), "x.png", key="k")


def test_tables_append_and_load(reader: TrackingStore) -> None:
    import pandas as pd

    with mlflow.start_run() as run:
        mlflow.log_table({"a": [1, 2], "b": ["x", "y"]}, "t.json")
        root = _root(reader, run.info.run_id)
        assert (root / "t.json").read_text() == '{"columns":["a","b"],"data":[[1,"x"],[2,"y"]]}'
        mlflow.log_table(pd.DataFrame({"a": [3], "b": ["z"]}), "t.json")
        mlflow.log_table({"c": [1.5]}, "dir/other.json")
    tag = json.loads(reader.get_run(run.info.run_id).data.tags["mlflow.loggedArtifacts"])
    assert tag == [{"path": "t.json", "type": "table"}, {"path": "dir/other.json", "type": "table"}]
    loaded = mlflow.load_table("t.json", extra_columns=["run_id"])
    assert loaded["a"].tolist() == [1, 2, 3]
    assert loaded["b"].tolist() == ["x", "y", "z"]
    assert set(loaded["run_id"]) == {run.info.run_id}
    by_id = mlflow.MlflowClient().load_table("0", "dir/other.json", run_ids=[run.info.run_id])
    assert by_id["c"].tolist() == [1.5]
    with pytest.raises(MltrailError, match="No runs found"):
        mlflow.load_table("missing.json")


def test_parquet_tables(reader: TrackingStore) -> None:
    with mlflow.start_run():
        mlflow.log_table({"a": [1, 2]}, "t.parquet")
        mlflow.log_table({"a": [3]}, "t.parquet")
    assert mlflow.load_table("t.parquet")["a"].tolist() == [1, 2, 3]


def test_table_file_must_be_json_or_parquet() -> None:
    with mlflow.start_run(), pytest.raises(MltrailError, match=r"'\.json' or '\.parquet'"):
        mlflow.log_table({"a": [1]}, "t.csv")


def test_stream_and_artifact_uri(tmp_path: Path, reader: TrackingStore) -> None:
    import io

    with mlflow.start_run() as run:
        mlflow.log_stream(io.BytesIO(b"x" * 3_000_000), "big/blob.bin")
        root_uri = mlflow.get_artifact_uri()
        assert root_uri == run.info.artifact_uri
        assert mlflow.get_artifact_uri("big/blob.bin") == f"{root_uri}/big/blob.bin"
    assert (_root(reader, run.info.run_id) / "big" / "blob.bin").stat().st_size == 3_000_000


def test_artifacts_module_download_and_list(tmp_path: Path) -> None:
    with mlflow.start_run() as run:
        mlflow.log_text("a", "dir/a.txt")
        mlflow.log_text("b", "dir/sub/b.txt")
    run_id = run.info.run_id
    listed = mlflow.artifacts.list_artifacts(artifact_uri=f"runs:/{run_id}/dir")
    assert [(f.path, f.is_dir) for f in listed] == [("dir/a.txt", False), ("dir/sub", True)]
    assert [f.path for f in mlflow.artifacts.list_artifacts(run_id=run_id)] == ["dir"]
    local = mlflow.artifacts.download_artifacts(
        f"runs:/{run_id}/dir", dst_path=str(tmp_path / "dl")
    )
    assert Path(local, "sub", "b.txt").read_text() == "b"
    single = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="dir/a.txt")
    assert Path(single).read_text() == "a"
    by_uri = mlflow.artifacts.download_artifacts(
        f"{run.info.artifact_uri}/dir/a.txt", dst_path=str(tmp_path / "plain")
    )
    assert Path(by_uri).read_text() == "a"
    client_copy = mlflow.MlflowClient().download_artifacts(run_id, "dir", str(tmp_path / "c"))
    assert Path(client_copy, "a.txt").read_text() == "a"


def test_artifacts_module_argument_errors() -> None:
    with pytest.raises(MltrailError, match="must not be specified"):
        mlflow.artifacts.download_artifacts("runs:/x/y", run_id="x")
    with pytest.raises(MltrailError, match="Either `artifact_uri` or `run_id`"):
        mlflow.artifacts.download_artifacts()


def test_artifact_paths_cannot_escape_the_run(reader: TrackingStore) -> None:
    with mlflow.start_run() as run:
        for bad in ("../up.txt", "/etc/evil.txt"):
            with pytest.raises(MltrailError):
                mlflow.log_text("x", bad)
    assert not (_root(reader, run.info.run_id).parent / "up.txt").exists()
