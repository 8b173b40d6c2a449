"""Project environments: python_env built with uv or virtualenv + pip (offline, from a wheel
made here), cached by spec hash and reused; conda and docker fail clearly without their tools."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

import mltrail.projects as projects
from mltrail.envs.python_env import PythonEnvSpec, load_python_env, mltrail_source_dir
from mltrail.envs.venvs import COMPLETE_MARKER
from mltrail.errors import MltrailError
from mltrail.projects import docker
from mltrail.projects.spec import DockerEnv
from mltrail.tracking import MlflowClient
from tests.projects.conftest import MakeProject, runs_of

PROBE = """
import json, os, sys
import tinydep
with open(os.environ["OUT_FILE"], "w") as f:
    json.dump({"prefix": sys.prefix, "tinydep": tinydep.VALUE, "argv": sys.argv[1:]}, f)
"""


def make_wheel(folder: Path, name: str = "tinydep", version: str = "1.0") -> Path:
    """A minimal pure-Python wheel, so environments build without any package index."""
    folder.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "VALUE = 42\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return wheel


@pytest.fixture
def env_project(make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    wheels = tmp_path / "wheels"
    make_wheel(wheels)
    # Offline: only the local wheel folder, never an index, never a Python download.
    for name, value in {
        "UV_OFFLINE": "1",
        "UV_NO_INDEX": "1",
        "UV_FIND_LINKS": str(wheels),
        "UV_PYTHON_DOWNLOADS": "never",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "OUT_FILE": str(tmp_path / "out.json"),
    }.items():
        monkeypatch.setenv(name, value)
    return make_project(
        {
            "MLproject": """
            name: envs
            python_env: python_env.yaml
            entry_points:
              main:
                parameters: {ratio: {type: float, default: 0.5}}
                command: "python probe.py {ratio}"
            """,
            "python_env.yaml": "python: '3.11'\ndependencies:\n  - -r requirements.txt\n",
            "requirements.txt": "tinydep==1.0\n",
            "probe.py": PROBE,
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("manager", ["uv", "virtualenv"])
def test_python_env_is_built_once_and_reused(
    env_project: Path, client: MlflowClient, tmp_path: Path, manager: str
) -> None:
    first = projects.run(str(env_project), parameters={"ratio": 0.25}, env_manager=manager)
    out = json.loads((tmp_path / "out.json").read_text())
    envs = list((tmp_path / "envs").glob(f"{manager}-*"))
    assert [p.name for p in envs if p.is_dir()] == [Path(out["prefix"]).name]
    assert out["tinydep"] == 42
    assert out["argv"] == ["0.25"]
    marker = Path(out["prefix"]) / COMPLETE_MARKER
    built_at = marker.stat().st_mtime_ns

    second = projects.run(str(env_project), env_manager=manager)
    again = json.loads((tmp_path / "out.json").read_text())
    assert again["prefix"] == out["prefix"]
    assert again["argv"] == ["0.5"]
    assert marker.stat().st_mtime_ns == built_at  # reused, not rebuilt
    for submitted in (first, second):
        run = client.get_run(submitted.run_id)
        assert run.info.status == "FINISHED"
        assert run.data.tags["mlflow.project.env"] == manager


def test_spec_hash_follows_requirement_files(env_project: Path) -> None:
    spec = load_python_env(env_project / "python_env.yaml")
    before = spec.fingerprint("uv")
    assert spec.fingerprint("uv") == before
    assert spec.fingerprint("virtualenv") != before
    (env_project / "requirements.txt").write_text("tinydep==2.0\n")
    assert spec.fingerprint("uv") != before


def test_mltrail_requirement_installs_this_mltrail(tmp_path: Path) -> None:
    source = mltrail_source_dir()
    assert source is not None
    assert (source / "mltrail" / "__init__.py").is_file()
    spec = PythonEnvSpec(python="3.11", dependencies=("mltrail", "-r reqs.txt", "numpy<3"))
    assert spec.install_args(spec.dependencies) == [
        "-e", str(source), "-r", "reqs.txt", "numpy<3",
    ]  # fmt: skip


@pytest.mark.slow
def test_failed_environment_build_leaves_no_run(
    env_project: Path, client: MlflowClient, tmp_path: Path
) -> None:
    (env_project / "requirements.txt").write_text("not-a-package-anywhere==9.9\n")
    with pytest.raises(MltrailError, match="Building the project environment failed"):
        projects.run(str(env_project), env_manager="uv")
    assert runs_of(client) == []
    assert [p for p in (tmp_path / "envs").iterdir() if p.is_dir()] == []


def test_conda_project_without_conda_fails_clearly(
    make_project: MakeProject, client: MlflowClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no conda here
    root = make_project(
        {
            "MLproject": "conda_env: conda.yaml\nentry_points:\n  main:\n    command: echo hi\n",
            "conda.yaml": "name: x\ndependencies: [python=3.11]\n",
        }
    )
    with pytest.raises(MltrailError, match="`conda` is not on PATH"):
        projects.run(str(root))
    with pytest.raises(MltrailError, match="needs a python_env"):
        projects.run(str(root), env_manager="uv")
    assert runs_of(client) == []
    # --env-manager local runs it in the current environment instead.
    assert projects.run(str(root), env_manager="local").get_status() == "FINISHED"


def test_docker_commands(tmp_path: Path) -> None:
    env = DockerEnv(
        image="python:3.11-slim",
        volumes=("/data:/data",),
        environment=(("MODE", "fast"), ("TOKEN", None)),
    )
    tracking = {"MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/db/m.db", "MLFLOW_RUN_ID": "r1"}
    plan = docker.plan(
        env,
        tmp_path / "proj",
        "python train.py --alpha 0.5",
        tracking,
        docker_args={"gpus": "all", "privileged": True, "m": "2g"},
        host_env={"TOKEN": "t0k"},
    )
    assert plan.build is None
    assert plan.image == "python:3.11-slim"
    assert plan.run == [
        "docker", "run", "--rm", "--workdir", "/mlflow/projects/code",
        "--volume", f"{tmp_path}/proj:/mlflow/projects/code",
        "--env", f"MLFLOW_TRACKING_URI=sqlite:///{tmp_path}/db/m.db",
        "--env", "MLFLOW_RUN_ID=r1",
        "--volume", f"{tmp_path}/db:{tmp_path}/db",
        "--volume", "/data:/data",
        "--env", "MODE=fast", "--env", "TOKEN=t0k",
        "--gpus", "all", "--privileged", "-m", "2g",
        "python:3.11-slim", "sh", "-c", "python train.py --alpha 0.5",
    ]  # fmt: skip

    built = docker.plan(
        env, tmp_path / "proj", "echo", {}, project_name="My Project", git_commit="abcdef123",
        build_image=True, host_env={"TOKEN": "t"},
    )  # fmt: skip
    assert built.image == "my-project:abcdef1"
    assert built.build == [
        "docker", "build", "--tag", "my-project:abcdef1", "--file", "-", f"{tmp_path}/proj",
    ]  # fmt: skip
    assert built.dockerfile is not None
    assert built.dockerfile.startswith("FROM python:3.11-slim\n")
    assert "COPY . /mlflow/projects/code/" in built.dockerfile
    assert f"{tmp_path}/proj:/mlflow/projects/code" not in built.run  # the code is in the image
    with pytest.raises(MltrailError, match="'TOKEN'"):
        docker.plan(env, tmp_path, "echo", {}, host_env={})


def test_docker_project_without_engine_fails_before_a_run(
    make_project: MakeProject, client: MlflowClient
) -> None:
    root = make_project(
        {"MLproject": "docker_env: {image: 'python:3.11'}\nentry_points:\n  main: {command: ls}\n"}
    )
    with pytest.raises(MltrailError, match="docker"):
        projects.run(str(root))
    with pytest.raises(MltrailError, match="does not apply to a docker_env"):
        projects.run(str(root), env_manager="uv")
    assert runs_of(client) == []
    # --env-manager local runs it outside docker, in the current environment.
    submitted = projects.run(str(root), env_manager="local")
    assert client.get_run(submitted.run_id).data.tags["mlflow.project.env"] == "local"


def test_default_manager_follows_the_project(make_project: MakeProject) -> None:
    from mltrail.envs.venvs import uv_executable
    from mltrail.projects.environments import choose_manager

    python = projects.load_project(make_project({"python_env.yaml": "python: '3.11'\n"}))
    conda = projects.load_project(make_project({"conda.yaml": "name: x\n"}))
    bare = projects.load_project(make_project({"train.py": ""}))
    assert uv_executable() is not None  # installed with the dev dependencies
    assert choose_manager(python, None) == "uv"
    assert choose_manager(python, "virtualenv") == "virtualenv"
    assert choose_manager(python, "local") == "local"
    assert choose_manager(conda, None) == "conda"
    assert choose_manager(bare, None) == "local"
    assert choose_manager(bare, "uv") == "uv"  # a bare environment on this Python version
