"""Reading and validating MLproject files, parameters and commands (no process is started)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from mltrail.errors import InvalidParameter, NotFound
from mltrail.projects import load_project
from mltrail.projects.fetch import is_git_uri, split_subdirectory
from mltrail.projects.params import build_command, resolve_parameters
from mltrail.tracking import MlflowClient
from tests.projects.conftest import MakeProject

FULL = """
name: demo
python_env: python_env.yaml
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.1}
      epochs: {type: int, default: 3}
      label: {type: string, default: "two words"}
      data: path
      target: uri
      flag: {default: true}
    command: "python train.py --alpha {alpha} --epochs {epochs} --data {data} {label} {target}"
  other:
    command: "echo other"
"""


def test_full_spec_parses_types_defaults_and_shorthand(make_project: MakeProject) -> None:
    root = make_project({"MLproject": FULL, "python_env.yaml": "python: '3.11'\n"})
    project = load_project(root)
    assert project.name == "demo"
    assert project.env_kind == "python"
    assert project.python_env == root / "python_env.yaml"
    main = project.entry_point("main")
    kinds = {name: (p.type, p.default) for name, p in main.parameters.items()}
    assert kinds == {
        "alpha": ("float", "0.1"),
        "epochs": ("int", "3"),
        "label": ("string", "two words"),
        "data": ("path", None),  # shorthand: a type, no default -> required
        "target": ("uri", None),
        "flag": ("string", "true"),
    }
    assert project.entry_point("other").command == "echo other"


@pytest.mark.parametrize(
    ("mlproject", "message"),
    [
        ("python_env: a.yaml\nconda_env: b.yaml\n", "at most one of"),
        ("entry_points:\n  main: {parameters: {}}\n", "needs a `command`"),
        (
            "entry_points:\n  main:\n    command: x\n    parameters: {a: {type: bool}}\n",
            "unknown type",
        ),
        ("entry_points: [1, 2]\n", "must map names"),
        ("- a\n- b\n", "must be a YAML mapping"),
        ("name: [unclosed\n", "not valid YAML"),
        ("docker_env: {volumes: []}\n", "needs an `image`"),
        ("docker_env: {image: x, environment: [[1, 2, 3]]}\n", "NAME to copy"),
        ("python_env: ../outside.yaml\n", "outside the project"),
    ],
)
def test_invalid_mlproject_is_refused_clearly(
    make_project: MakeProject, mlproject: str, message: str
) -> None:
    root = make_project({"MLproject": mlproject, "a.yaml": "", "b.yaml": ""})
    with pytest.raises(InvalidParameter, match=message):
        load_project(root)


def test_declared_env_file_must_exist(make_project: MakeProject) -> None:
    with pytest.raises(NotFound, match=r"missing\.yaml"):
        load_project(make_project({"MLproject": "python_env: missing.yaml\n"}))


def test_docker_env_parses_volumes_and_environment(make_project: MakeProject) -> None:
    root = make_project(
        {
            "MLproject": """
            docker_env:
              image: python:3.11-slim
              volumes: ["/data:/data"]
              environment: [["MODE", "fast"], "HOME"]
            """
        }
    )
    env = load_project(root).docker_env
    assert env is not None
    assert env.image == "python:3.11-slim"
    assert env.volumes == ("/data:/data",)
    assert env.environment == (("MODE", "fast"), ("HOME", None))


def test_folder_without_mlproject_runs_scripts_by_file_name(make_project: MakeProject) -> None:
    root = make_project({"train.py": "", "job.sh": "", "notes.txt": "", "conda.yaml": ""})
    project = load_project(root)
    assert project.env_kind == "conda"  # no python_env.yaml: conda.yaml is the environment
    assert project.entry_point("train.py").command == "python train.py"
    assert project.entry_point("job.sh").command.endswith(" job.sh")
    with pytest.raises(NotFound, match="as a script file"):
        project.entry_point("notes.txt")
    with pytest.raises(NotFound, match="'main'"):
        project.entry_point("main")


def test_python_env_file_wins_over_conda_without_mlproject(make_project: MakeProject) -> None:
    root = make_project({"python_env.yaml": "python: '3.11'\n", "conda.yaml": ""})
    assert load_project(root).env_kind == "python"


def _main(make_project: MakeProject) -> tuple[Path, object]:
    root = make_project({"MLproject": FULL, "python_env.yaml": ""})
    return root, load_project(root).entry_point("main")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"data": ".", "target": "s3://b/k", "alpha": "abc"}, "'alpha' must be a number"),
        ({"data": ".", "target": "s3://b/k", "epochs": "2.5"}, "'epochs' must be an integer"),
        ({"data": ".", "target": "relative/dir"}, "'target' must be a URI"),
        ({"data": "no/such/file", "target": "s3://b/k"}, "does not exist"),
        ({"target": "s3://b/k"}, "missing parameters: 'data'"),
        ({}, "missing parameters: 'data', 'target'"),
    ],
)
def test_bad_values_are_refused(
    make_project: MakeProject, params: dict[str, str], message: str
) -> None:
    root = make_project({"MLproject": FULL, "python_env.yaml": ""})
    main = load_project(root).entry_point("main")
    with pytest.raises(InvalidParameter, match=message):
        resolve_parameters(main, params)


def test_values_are_converted_quoted_and_extras_appended(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project({"MLproject": FULL, "python_env.yaml": "", "data.csv": "x"})
    main = load_project(root).entry_point("main")
    resolved = resolve_parameters(
        main,
        {"data": str(root / "data.csv"), "target": "file:///tmp", "alpha": 0.5, "seed": 7},
    )
    assert resolved.logged["alpha"] == "0.5"
    assert resolved.logged["seed"] == "7"
    assert resolved.extra == {"seed": "7"}
    command = build_command(main, resolved)
    assert shlex.split(command) == [
        "python", "train.py", "--alpha", "0.5", "--epochs", "3", "--data",
        str(root / "data.csv"), "two words", "file:///tmp", "--seed", "7",
    ]  # fmt: skip


def test_relative_path_parameter_becomes_absolute(make_project: MakeProject) -> None:
    # Relative to where the run is started (the cwd), as in MLflow.
    root = make_project({"MLproject": FULL, "python_env.yaml": ""})
    (Path.cwd() / "d").mkdir()
    (Path.cwd() / "d/x.csv").write_text("1")
    main = load_project(root).entry_point("main")
    resolved = resolve_parameters(main, {"data": "d/x.csv", "target": "s3://b"}, None)
    assert resolved.command_values["data"] == str(Path.cwd().resolve() / "d/x.csv")
    assert resolved.logged["data"] == "d/x.csv"


def test_shell_metacharacters_in_values_stay_data(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project(
        {
            "MLproject": (
                "entry_points:\n  main:\n    parameters: {msg: string}\n    command: echo {msg}\n"
            )
        }
    )
    main = load_project(root).entry_point("main")
    hostile = f"; touch {tmp_path}/pwned $(touch {tmp_path}/pwned2) `id` 'q\""
    command = build_command(main, resolve_parameters(main, {"msg": hostile, "x": "&& ls"}))
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True)
    assert out.stdout == f"{hostile} --x && ls\n"
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "pwned2").exists()


def test_command_using_an_undeclared_field_is_refused(make_project: MakeProject) -> None:
    root = make_project({"MLproject": "entry_points:\n  main:\n    command: echo {nope}\n"})
    main = load_project(root).entry_point("main")
    with pytest.raises(InvalidParameter, match=r"\{nope\}"):
        build_command(main, resolve_parameters(main, {}))


@pytest.mark.parametrize(
    ("uri", "git"),
    [
        ("https://github.com/org/repo", True),
        ("https://github.com/org/repo#sub/dir", True),
        ("ssh://git@host/org/repo.git", True),
        ("git@github.com:org/repo.git#examples/x", True),
        ("some/local/folder", False),
    ],
)
def test_git_uris_are_recognised(uri: str, git: bool) -> None:
    assert is_git_uri(uri) is git


def test_subdirectory_may_not_leave_the_repository() -> None:
    assert split_subdirectory("https://h/r#a/b/") == ("https://h/r", "a/b")
    with pytest.raises(InvalidParameter, match="inside the project"):
        split_subdirectory("https://h/r#../../etc")


def test_remote_path_parameter_is_downloaded_into_storage_dir(
    make_project: MakeProject, client: MlflowClient, tmp_path: Path
) -> None:
    run = client.create_run("0")
    (tmp_path / "data.csv").write_text("x\n1\n")
    client.log_artifact(run.info.run_id, str(tmp_path / "data.csv"), "inputs")
    root = make_project({"MLproject": FULL, "python_env.yaml": ""})
    main = load_project(root).entry_point("main")
    storage = tmp_path / "storage"
    remote = f"runs:/{run.info.run_id}/inputs/data.csv"
    resolved = resolve_parameters(main, {"data": remote, "target": "s3://b"}, str(storage))
    local = Path(resolved.command_values["data"])
    assert local.is_relative_to(storage)
    assert local.read_text() == "x\n1\n"
    assert resolved.logged["data"] == remote
