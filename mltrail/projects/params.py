"""Checking `-P` values against an entry point's typed parameters and building its command.

Every value is validated before anything runs; the command gets each value shell-quoted, and
parameters the entry point does not declare are appended as ``--name value``.
"""

from __future__ import annotations

import os
import shlex
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from mltrail.errors import InvalidParameter
from mltrail.projects.spec import EntryPoint, Parameter


@dataclass(frozen=True)
class ResolvedParameters:
    """Values as given (what the run logs) and as passed to the command (paths made local)."""

    logged: dict[str, str]
    command_values: dict[str, str]
    extra: dict[str, str]


def resolve_parameters(
    entry_point: EntryPoint, given: Mapping[str, object], storage_dir: str | None = None
) -> ResolvedParameters:
    """Check every value; a missing required one or a type mismatch raises InvalidParameter."""
    values = {str(k): _text(v) for k, v in given.items()}
    declared = entry_point.parameters
    missing = [name for name, p in declared.items() if p.required and name not in values]
    if missing:
        raise InvalidParameter(
            f"No value given for missing parameters: {', '.join(repr(m) for m in missing)} "
            f"(entry point {entry_point.name!r})."
        )
    logged: dict[str, str] = {}
    command_values: dict[str, str] = {}
    for name, parameter in declared.items():
        value = values[name] if name in values else str(parameter.default)
        logged[name] = value
        command_values[name] = _checked(parameter, value, storage_dir)
    extra = {name: value for name, value in values.items() if name not in declared}
    return ResolvedParameters({**logged, **extra}, command_values, extra)


def build_command(entry_point: EntryPoint, resolved: ResolvedParameters) -> str:
    """The entry point's command with `{name}` replaced by quoted values, extras appended."""
    fields = {f for _, f, _, _ in string.Formatter().parse(entry_point.command) if f is not None}
    unknown = sorted(fields - set(resolved.command_values))
    if unknown:
        raise InvalidParameter(
            f"The command of entry point {entry_point.name!r} uses {{{unknown[0]}}}, which is "
            "not one of its declared parameters."
        )
    quoted = {k: shlex.quote(v) for k, v in resolved.command_values.items()}
    try:
        command = entry_point.command.format(**quoted)
    except (IndexError, ValueError) as error:
        raise InvalidParameter(
            f"The command of entry point {entry_point.name!r} is not a valid template "
            f"({error}); write a literal brace as {{{{ or }}}}."
        ) from None
    extras = [f"--{name} {shlex.quote(value)}" for name, value in resolved.extra.items()]
    return " ".join([command, *extras])


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _checked(parameter: Parameter, value: str, storage_dir: str | None) -> str:
    kind = parameter.type
    if kind == "float":
        _convert(parameter, value, float, "a number")
    elif kind == "int":
        _convert(parameter, value, int, "an integer")
    elif kind == "uri":
        if not _has_scheme(value):
            raise InvalidParameter(
                f"Parameter {parameter.name!r} must be a URI (scheme://...), got {value!r}."
            )
    elif kind == "path":
        return _local_path(parameter, value, storage_dir)
    return value


def _convert(parameter: Parameter, value: str, kind: type[float] | type[int], what: str) -> None:
    try:
        kind(value)
    except ValueError:
        raise InvalidParameter(
            f"Parameter {parameter.name!r} must be {what} (type {parameter.type}), got {value!r}."
        ) from None


def _has_scheme(value: str) -> bool:
    scheme = urlsplit(value).scheme
    return len(scheme) > 1  # a one-letter "scheme" is a Windows drive, not a URI


def _local_path(parameter: Parameter, value: str, storage_dir: str | None) -> str:
    """An existing local path made absolute; a remote URI is downloaded into `storage_dir`."""
    parts = urlsplit(value)
    if _has_scheme(value) and parts.scheme != "file":
        return _download(value, storage_dir)
    local = Path(parts.path if parts.scheme == "file" else value).expanduser()
    if not local.exists():
        raise InvalidParameter(
            f"Parameter {parameter.name!r} (type path) names {value!r}, which does not exist."
        )
    return str(local.resolve())


def _download(uri: str, storage_dir: str | None) -> str:
    import tempfile

    from mltrail.artifacts import download_artifacts

    target = storage_dir or tempfile.mkdtemp(prefix="mltrail-project-data-")
    os.makedirs(target, exist_ok=True)
    return download_artifacts(artifact_uri=uri, dst_path=target)
