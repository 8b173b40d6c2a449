"""Run a callback when a module finishes importing (Python has no post-import hook).

A finder at the front of `sys.meta_path` answers only for watched names: it asks the other
finders for the real spec and wraps its loader so callbacks run once the module has executed.
A watch on "pkg." fires for every submodule of pkg.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

Callback = Callable[[ModuleType], None]

_watches: dict[str, dict[str, Callback]] = {}  # name or "prefix." -> {key: callback}
_lock = threading.RLock()
_resolving = threading.local()


def watch(name: str, key: str, callback: Callback) -> None:
    """Call `callback(module)` after `name` (or, for "pkg.", any submodule) is imported."""
    with _lock:
        _watches.setdefault(name, {})[key] = callback
        if not any(isinstance(f, _Finder) for f in sys.meta_path):
            sys.meta_path.insert(0, _Finder())


def unwatch(key: str) -> None:
    """Forget every callback registered under `key`."""
    with _lock:
        for name in list(_watches):
            _watches[name].pop(key, None)
            if not _watches[name]:
                del _watches[name]
        if not _watches:
            sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]


def _callbacks(fullname: str) -> list[Callback]:
    with _lock:
        found = list(_watches.get(fullname, {}).values())
        for name, callbacks in _watches.items():
            if name.endswith(".") and fullname.startswith(name):
                found += callbacks.values()
        return found


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if getattr(_resolving, "active", False) or not _callbacks(fullname):
            return None
        _resolving.active = True
        try:
            spec = _real_spec(self, fullname, path, target)
        finally:
            _resolving.active = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _Loader(spec.loader, fullname)
        return spec


def _real_spec(
    me: _Finder, fullname: str, path: Sequence[str] | None, target: ModuleType | None
) -> importlib.machinery.ModuleSpec | None:
    for finder in list(sys.meta_path):
        if finder is me or not hasattr(finder, "find_spec"):
            continue
        spec = finder.find_spec(fullname, path, target)
        if spec is not None:
            return spec
    return None


class _Loader(importlib.abc.Loader):
    """Delegates to the real loader, then runs the callbacks for the module."""

    def __init__(self, loader: Any, fullname: str) -> None:
        self._loader = loader
        self._fullname = fullname

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        for callback in _callbacks(self._fullname):
            callback(module)  # callbacks catch their own errors

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, is_package, ...
        return getattr(self._loader, name)
