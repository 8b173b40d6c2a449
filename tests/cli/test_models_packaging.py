"""`mltrail models update-pip-requirements | generate-dockerfile | build-docker | prepare-env`
and the environment-manager errors that need no environment to be built."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from mltrail.envs.model import model_spec, serving_requirements
from mltrail.envs.wheel import mltrail_wheel
from mltrail.tracking import MlflowClient
from tests.cli.conftest import Invoke
from tests.compat.conftest import LiveServer, free_port, stop_server
from tests.serving.conftest import save_params_model, save_sklearn_model


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return save_sklearn_model(tmp_path / "model")


def requirements(model_dir: Path) -> list[str]:
    return (model_dir / "requirements.txt").read_text().splitlines()


def conda_pip(model_dir: Path) -> list[str]:
    conda = yaml.safe_load((model_dir / "conda.yaml").read_text())
    return next(d["pip"] for d in conda["dependencies"] if isinstance(d, dict))


# -- update-pip-requirements -----------------------------------------------------------------
def test_add_then_remove_requirements_round_trip(mltrail: Invoke, model: Path) -> None:
    before = requirements(model)
    sklearn_pin = next(r for r in before if r.startswith("scikit-learn=="))
    python_env = (model / "python_env.yaml").read_text()

    added = mltrail(
        "models", "update-pip-requirements", "-m", str(model),
        "add", "scikit-learn>=1.0", "tinydep==1.0",
    )  # fmt: skip
    assert "requirements.txt, conda.yaml" in added.output
    expected = [("scikit-learn>=1.0" if r == sklearn_pin else r) for r in before]
    expected.append("tinydep==1.0")  # new projects are appended, known ones replaced in place
    assert requirements(model) == expected
    assert conda_pip(model) == expected
    assert (model / "python_env.yaml").read_text() == python_env  # it points at the file

    mltrail("models", "update-pip-requirements", "-m", str(model), "remove", "tinydep>=9", "nope")
    assert requirements(model) == [r for r in expected if r != "tinydep==1.0"]
    mltrail("models", "update-pip-requirements", "-m", str(model), "add", sklearn_pin)
    assert requirements(model) == before
    assert conda_pip(model) == before


# MLflow's advice about type hints, printed (in colour) while it loads the model.
@pytest.mark.filterwarnings("ignore:.*Any type hint is inferred:UserWarning")
def test_official_mlflow_reads_the_updated_files(mltrail: Invoke, model: Path) -> None:
    import mlflow.pyfunc

    mltrail("models", "update-pip-requirements", "-m", str(model), "add", "tinydep==1.0")
    mltrail("models", "update-pip-requirements", "-m", str(model), "remove", "skops")
    pip_file = mlflow.pyfunc.get_model_dependencies(str(model), format="pip")
    listed = Path(pip_file).read_text().splitlines()
    assert "tinydep==1.0" in listed
    assert not any(r.startswith("skops") for r in listed)
    conda_file = mlflow.pyfunc.get_model_dependencies(str(model), format="conda")
    conda = yaml.safe_load(Path(conda_file).read_text())
    pip = next(d["pip"] for d in conda["dependencies"] if isinstance(d, dict))
    assert "tinydep==1.0" in pip
    loaded = mlflow.pyfunc.load_model(str(model))
    assert loaded.metadata.get_model_info().flavors["python_function"]["env"] == {
        "conda": "conda.yaml",
        "virtualenv": "python_env.yaml",
    }


def test_update_a_runs_model(mltrail: Invoke, client: MlflowClient, tmp_path: Path) -> None:
    run = client.create_run("0")
    client.log_artifacts(run.info.run_id, str(save_sklearn_model(tmp_path / "logged")), "model")
    uri = f"runs:/{run.info.run_id}/model"
    mltrail("models", "update-pip-requirements", "-m", uri, "add", "tinydep==1.0")
    folder = tmp_path / "downloaded"
    mltrail("artifacts", "download", "-u", uri, "-d", str(folder))
    assert requirements(folder / "model")[-1] == "tinydep==1.0"
    assert conda_pip(folder / "model")[-1] == "tinydep==1.0"


def test_update_refuses_registry_uris_and_bad_requirements(mltrail: Invoke, model: Path) -> None:
    result = mltrail("models", "update-pip-requirements", "-m", "models:/m/1", "add", "x", ok=False)
    assert "registered model versions are read-only" in result.output
    result = mltrail(
        "models", "update-pip-requirements", "-m", str(model), "add", "not a req!", ok=False
    )
    assert "'not a req!' is not a valid pip requirement" in result.output


# -- generate-dockerfile / build-docker ------------------------------------------------------
def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    joined = text.replace("\\\n", " ")
    lines = [line.strip() for line in joined.splitlines()]
    pairs = [line.split(maxsplit=1) for line in lines if line and not line.startswith("#")]
    return [(parts[0].upper(), parts[1] if len(parts) > 1 else "") for parts in pairs]


def test_generate_dockerfile_serves_the_model_on_8080(
    mltrail: Invoke, model: Path, tmp_path: Path
) -> None:
    out = tmp_path / "image"
    mltrail("models", "generate-dockerfile", "-m", str(model), "-d", str(out))
    steps = parse_dockerfile((out / "Dockerfile").read_text())
    by_kind: dict[str, list[str]] = {}
    for kind, args in steps:
        by_kind.setdefault(kind, []).append(args)
    python = yaml.safe_load((model / "python_env.yaml").read_text())["python"]
    assert steps[0] == ("FROM", f"python:{'.'.join(python.split('.')[:2])}-slim")
    assert "model/ /opt/ml/model/" in by_kind["COPY"]
    assert by_kind["EXPOSE"] == ["8080"]
    assert not any("apt-get" in run for run in by_kind["RUN"])  # no Java for sklearn
    entrypoint = json.loads(by_kind["ENTRYPOINT"][0])
    assert entrypoint[:5] == ["mltrail", "models", "serve", "-m", "/opt/ml/model"]
    assert entrypoint[entrypoint.index("--port") + 1] == "8080"
    assert entrypoint[entrypoint.index("--host") + 1] == "0.0.0.0"
    # The context has the model, this mltrail's wheel and the model's other requirements.
    assert sorted(p.name for p in (out / "model").iterdir()) == sorted(
        p.name for p in model.iterdir()
    )
    wheel = next((out / "wheels").glob("mltrail-*-py3-none-any.whl"))
    assert f"/opt/mltrail/wheels/{wheel.name}" in by_kind["RUN"][0]
    listed = (out / "model-requirements.txt").read_text().split()
    assert listed == serving_requirements(model)
    assert any(r.startswith("scikit-learn==") for r in listed)

    # The image's command, run here on the copied model (loopback and a free port instead of
    # the container's 0.0.0.0:8080), serves predictions.
    port = free_port()
    command = [
        {"/opt/ml/model": str(out / "model"), "0.0.0.0": "127.0.0.1", "8080": str(port)}.get(a, a)
        for a in entrypoint[1:]
    ]
    server = start(tmp_path, [sys.executable, "-m", "mltrail.cli.main", *command], port)
    try:
        body = {"dataframe_records": [{"a": 0.0, "b": 1.0}, {"a": 3.0, "b": 0.0}]}
        answer = httpx.post(f"{server.url}/invocations", json=body, timeout=30)
        assert answer.json() == {"predictions": [0, 1]}
    finally:
        stop_server(server)


def start(root: Path, argv: list[str], port: int) -> LiveServer:
    log = root / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MLTRAIL_"))}
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = LiveServer(f"http://127.0.0.1:{port}", root, process)
    from tests.compat.conftest import wait_until_healthy

    try:
        wait_until_healthy(server.url, process, log)
    except BaseException:
        stop_server(server)
        raise
    return server


@pytest.mark.parametrize("manager", ["uv", "virtualenv"])
def test_dockerfile_builds_the_model_environment_at_image_build(
    mltrail: Invoke, model: Path, tmp_path: Path, manager: str
) -> None:
    out = tmp_path / "image"
    mltrail(
        "models", "generate-dockerfile", "-m", str(model), "-d", str(out),
        "--env-manager", manager, "--install-java", "true",
    )  # fmt: skip
    steps = parse_dockerfile((out / "Dockerfile").read_text())
    runs = [args for kind, args in steps if kind == "RUN"]
    assert any("default-jre-headless" in run for run in runs)
    assert f"mltrail models prepare-env -m /opt/ml/model --env-manager {manager}" in runs
    entrypoint = json.loads(next(args for kind, args in steps if kind == "ENTRYPOINT"))
    assert entrypoint[-2:] == ["--env-manager", manager]


def test_build_docker_without_an_engine_fails_clearly_and_leaves_nothing(
    mltrail: Invoke, model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mltrail.envs.docker import engine_problem

    # This machine's docker CLI has no daemon; a DOCKER_HOST nobody listens on makes sure.
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-docker.sock'}")
    assert engine_problem() is not None
    monkeypatch.setenv("MLTRAIL_ENV_ROOT", str(tmp_path / "envs"))
    before = sorted(os.listdir(tmp_path))
    result = mltrail("models", "build-docker", "-m", str(model), "-n", "my-model", ok=False)
    assert result.exit_code == 1
    assert "Cannot build the image 'my-model': no Docker engine is reachable" in result.output
    assert sorted(os.listdir(tmp_path)) == before
    assert os.listdir(tmp_path / "tmp") == []  # no build context left in the temp folder


# -- environment managers --------------------------------------------------------------------
@pytest.mark.parametrize("command", ["serve", "predict", "prepare-env"])
def test_conda_without_conda_is_a_clear_error(
    mltrail: Invoke, model: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no conda there
    monkeypatch.delenv("MLFLOW_CONDA_HOME", raising=False)
    monkeypatch.delenv("MLTRAIL_CONDA_HOME", raising=False)
    result = mltrail("models", command, "-m", str(model), "--env-manager", "conda", ok=False)
    assert "`conda` is not on PATH" in result.output
    assert "--env-manager conda builds the model's conda environment" in result.output


def test_model_spec_swaps_mltrail_for_the_running_installation(tmp_path: Path) -> None:
    model_dir = save_params_model(tmp_path / "pm")
    assert any(r.startswith("mltrail==") for r in requirements(model_dir))
    spec = model_spec(model_dir)
    assert not any(r.startswith("mltrail") for r in spec.dependencies)
    assert any(r.startswith("cloudpickle==") for r in spec.dependencies)
    assert spec.local_packages[0] == "-e"  # this checkout, editable
    assert spec.local_packages[1].endswith("[server]")
    assert spec.python == ".".join(map(str, sys.version_info[:3]))


def test_wheel_of_the_running_mltrail_installs(tmp_path: Path) -> None:
    first = mltrail_wheel(tmp_path / "a")
    second = mltrail_wheel(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()  # same code, same bytes
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
    assert "mltrail/serving/app.py" in names
    assert not any("__pycache__" in n for n in names)
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv is not None
    env = tmp_path / "env"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env)], check=True)
    python = str(env / "bin" / "python")
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", python, "--no-deps", str(first)], check=True
    )
    probe = (
        "import importlib.metadata as m; print(m.version('mltrail')); print(m.requires('mltrail'))"
    )
    shown = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    version, requires = shown.stdout.splitlines()
    assert version == "0.1.0"
    assert 'starlette>=0.40; extra == "server"' in requires
    assert (env / "bin" / "mltrail").is_file()  # the console script came along
    packaged: Any = (env / "lib").glob("python*/site-packages/mltrail/serving/app.py")
    assert len(list(packaged)) == 1
