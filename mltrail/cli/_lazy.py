"""A click group whose subcommands are imported only when they run.

`mltrail --help` renders from a table of names and short help texts, so starting the CLI
never imports the tracking client, the database layer or the server.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click

from mltrail.errors import MltrailError


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``"module:attribute"``), its short help, and its pip extra."""

    target: str
    short_help: str
    extra: str | None = None


class LazyGroup(click.Group):
    """A group of `LazyCommand`s that turns `MltrailError` into a clean one-line error."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, LazyCommand] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self.lazy_commands:
            command = load_command(cmd_name, self.lazy_commands[cmd_name])
            self.add_command(command, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            loaded = self.commands.get(name)
            if loaded is None:
                rows.append((name, self.lazy_commands[name].short_help))
            elif not loaded.hidden:
                rows.append((name, loaded.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MltrailError as error:
            raise click.ClickException(error.message) from error


def load_command(name: str, spec: LazyCommand) -> click.Command:
    """Import `spec.target`; a missing module or dependency becomes a clear CLI error."""
    module_name, _, attribute = spec.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise click.ClickException(_unavailable(name, module_name, spec, error)) from error
    command = getattr(module, attribute, None)
    if not isinstance(command, click.Command):
        raise click.ClickException(
            f"The '{name}' command is broken: {spec.target} is not a click command."
        )
    return command


def _unavailable(name: str, module_name: str, spec: LazyCommand, error: ModuleNotFoundError) -> str:
    missing = error.name or ""
    if missing and (module_name == missing or module_name.startswith(f"{missing}.")):
        return (
            f"The '{name}' command is not available in this installation "
            f"({module_name} is missing)."
        )
    hint = f" Install it with: pip install 'mltrail[{spec.extra}]'" if spec.extra else ""
    return (
        f"The '{name}' command needs the Python package '{missing}', which is not installed.{hint}"
    )
