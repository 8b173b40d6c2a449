"""The root command: lazy loading, --version, --env-file, clean errors, startup imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mltrail import __version__
from mltrail.cli._lazy import LazyCommand, LazyGroup, load_command
from mltrail.cli.main import COMMANDS, cli
from mltrail.errors import NotFound

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def test_help_lists_every_command_without_importing_any() -> None:
    out = run_python(
        "import sys, json\n"
        "from click.testing import CliRunner\n"
        "from mltrail.cli.main import cli\n"
        "result = CliRunner().invoke(cli, ['--help'])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('mltrail.cli.') "
        "and m not in ('mltrail.cli.main', 'mltrail.cli._lazy'))\n"
        "print(json.dumps([result.output, loaded]))\n"
    )
    output, loaded = json.loads(out)
    assert loaded == []
    for name, spec in COMMANDS.items():
        assert f"  {name} " in output
        assert spec.short_help.split()[0] in output


def test_importing_the_entry_point_pulls_in_no_heavy_library() -> None:
    out = run_python(
        "import sys, mltrail.cli.main\n"
        "print(sorted(m for m in ('sqlalchemy', 'pandas', 'httpx', 'numpy', 'alembic') "
        "if m in sys.modules))\n"
    )
    assert out.strip() == "[]"


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"mltrail, version {__version__}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_matches_the_commands_it_points_at(name: str) -> None:
    command = load_command(name, COMMANDS[name])
    # `mltrail --help` shows the same text before and after a command is loaded.
    assert command.get_short_help_str(limit=500) == COMMANDS[name].short_help


def _walk(command: click.Command, path: str) -> list[tuple[str, click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += _walk(sub, f"{path} {name}")
    return found


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_option_is_documented(name: str) -> None:
    for path, command in _walk(load_command(name, COMMANDS[name]), name):
        assert command.help, f"{path} has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{path} {param.opts} has no help text"


def _group_with(target: str, extra: str | None = None) -> LazyGroup:
    return LazyGroup(name="t", lazy_commands={"thing": LazyCommand(target, "A thing.", extra)})


def test_missing_command_module_is_a_clean_error() -> None:
    result = CliRunner().invoke(_group_with("mltrail.cli.not_there:cmd"), ["thing"])
    assert result.exit_code == 1
    assert "The 'thing' command is not available in this installation" in result.output
    assert "mltrail.cli.not_there is missing" in result.output
    assert "Traceback" not in result.output


def test_missing_dependency_names_the_package_and_extra(tmp_path: Path) -> None:
    (tmp_path / "needs_dep.py").write_text("import surely_not_installed_pkg\n")
    sys.path.insert(0, str(tmp_path))
    try:
        result = CliRunner().invoke(_group_with("needs_dep:cmd", "server"), ["thing"])
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("needs_dep", None)
    assert result.exit_code == 1
    assert "needs the Python package 'surely_not_installed_pkg'" in result.output
    assert "pip install 'mltrail[server]'" in result.output


def test_target_that_is_not_a_command_is_reported() -> None:
    result = CliRunner().invoke(_group_with("mltrail.cli.main:COMMANDS"), ["thing"])
    assert result.exit_code == 1
    assert "is not a click command" in result.output


def test_help_still_lists_an_unloadable_command() -> None:
    result = CliRunner().invoke(_group_with("mltrail.cli.not_there:cmd"), ["--help"])
    assert result.exit_code == 0
    assert "thing  A thing." in result.output


def test_mltrail_errors_become_one_line_messages() -> None:
    group = LazyGroup(name="t")

    @group.command()
    def boom() -> None:
        """Fail."""
        raise NotFound("Run 'abc' does not exist.")

    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == 1
    assert result.output == "Error: Run 'abc' does not exist.\n"


def test_env_file_sets_missing_variables_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MLTRAIL_T_A", "MLTRAIL_T_B", "MLTRAIL_T_C"):
        monkeypatch.delenv(name, raising=False)  # so the variables the file sets are undone
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# settings\nexport MLTRAIL_T_A=from_file\nMLTRAIL_T_B = 'quoted value'\n\n"
        'MLTRAIL_T_C="kept"\n'
    )
    seen: dict[str, str | None] = {}

    @cli.command("show-env-for-test", hidden=True)
    def show() -> None:
        """Record the variables."""
        seen.update({k: os.environ.get(k) for k in ("MLTRAIL_T_A", "MLTRAIL_T_B", "MLTRAIL_T_C")})

    try:
        result = CliRunner().invoke(
            cli,
            ["--env-file", str(env_file), "show-env-for-test"],
            env={"MLTRAIL_T_C": "from_env"},
        )
    finally:
        cli.commands.pop("show-env-for-test")
    assert result.exit_code == 0, result.output
    assert seen == {
        "MLTRAIL_T_A": "from_file",
        "MLTRAIL_T_B": "quoted value",
        "MLTRAIL_T_C": "from_env",
    }


def test_env_file_with_a_bad_line_is_refused(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("JUST_A_WORD\n")
    result = CliRunner().invoke(cli, ["--env-file", str(env_file), "experiments", "--help"])
    assert result.exit_code == 2
    assert "line 1 is not KEY=VALUE" in result.output


def test_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("mltrail")
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"mltrail, version {__version__}"
