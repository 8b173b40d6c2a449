"""The integration interface: what a library's autologging module declares, and enabling it.

A library's module (``mltrail.autolog.sklearn``, ...) defines one `Integration`: the flavor
name, the import that makes it applicable, the supported versions, its own options with their
defaults, and `install(flavor)` which patches the library with `patching.patch`. Everything
else (options, version checks, disabling, warnings) is done here once for all libraries.
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mltrail.autolog import config as _config
from mltrail.autolog import events, patching


@dataclass(frozen=True)
class Integration:
    flavor: str  # "sklearn": the run tag value and the options key
    module: str  # the import that must be present ("sklearn")
    distribution: str  # the package whose version is checked ("scikit-learn")
    min_version: str  # supported range, inclusive
    max_version: str
    install: Callable[[str], None]  # patches the (imported) library
    uninstall: Callable[[], None] = lambda: None  # forgets integration state on disable
    options: Mapping[str, Any] = field(default_factory=dict)  # the library's own options


def enable(integration: Integration, given: Mapping[str, Any]) -> None:
    """`<library>.autolog(**given)`: turn logging on (or off with disable=True)."""
    flavor = integration.flavor
    settings = _config.build(flavor, integration.options, given)
    if settings.disable:
        disable(integration)
        return
    if not _version_ok(integration, settings):
        return
    already = patching.patched_count(flavor) > 0
    _config.put(flavor, settings)
    if already:
        return
    try:
        integration.install(flavor)
    except Exception as error:
        disable(integration)
        events.failed(flavor, "enable autologging", error)


def disable(integration: Integration) -> None:
    """Restore the library's original functions and forget its options."""
    _config.drop(integration.flavor)
    patching.unpatch_all(integration.flavor)
    integration.uninstall()


def installed_version(integration: Integration) -> str | None:
    """The imported module's version (distributions differ: xgboost vs xgboost-cpu)."""
    module = sys.modules.get(integration.module)
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return version
    try:
        return importlib.metadata.version(integration.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def is_supported(integration: Integration, version: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        release = Version(version).release[:2]
        low = Version(integration.min_version).release[:2]
        high = Version(integration.max_version).release[:2]
    except InvalidVersion:
        return False
    return low <= release <= high


def _version_ok(integration: Integration, settings: _config.AutologConfig) -> bool:
    version = installed_version(integration)
    if version is None or is_supported(integration, version):
        return True
    supported = f"{integration.min_version} to {integration.max_version}"
    if settings.disable_for_unsupported_versions:
        if not settings.silent:
            events.warn(
                integration.flavor,
                f"{integration.distribution} {version} is outside the supported range "
                f"{supported}; autologging stays off (disable_for_unsupported_versions=True).",
            )
        return False
    if not settings.silent:
        events.warn(
            integration.flavor,
            f"{integration.distribution} {version} is outside the supported range {supported}; "
            "autologging may not work.",
        )
    return True
