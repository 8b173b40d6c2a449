"""Inferred requirements a model's environment can install from PyPI.

Some wheels carry a local version label (`torch==2.13.0+cpu`) that no public index serves;
MLflow drops the label from inferred requirements, and so does this helper.
"""

from __future__ import annotations

from collections.abc import Iterable

from mltrail.models.environment import requirements_for_modules


def installable_requirements(modules: Iterable[str]) -> list[str]:
    """Pinned distributions providing `modules`, without local version labels."""
    return [_without_local_label(r) for r in requirements_for_modules(modules)]


def _without_local_label(requirement: str) -> str:
    name, separator, version = requirement.partition("==")
    return f"{name}{separator}{version.split('+', 1)[0]}" if separator else requirement
